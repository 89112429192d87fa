-- materialized: table
-- placement: shards
-- One row per (device, day) the device was online (SPEC section 3), owned by
-- the user of the latest-starting interval touching that day (section 4);
-- rule_mask has bit r set when an interval closed by rule r (0 = end case)
-- touches the day. On each shard, for its devices.
-- next_day is the device's next online day (as_of_day + 1 after its last):
-- the 28-day window needs it, and it is a per-device question, so it is
-- answered here, on the shard, by the same shifted-array pairing as
-- int_transitions; only (user, day) counts leave the shard afterwards.
select device_id, d.1 as day, d.2 as user_id, d.3 as rule_mask, nd as next_day
from (
  select
    device_id,
    arraySort(groupArray((online_day, owner, mask))) as days_a,
    arrayPushBack(arrayPopFront(arrayMap(x -> x.1, days_a)), toInt32({{ as_of_day }} + 1)) as next_a
  from (
    select
      device_id, online_day,
      argMax(user_id, seq) as owner,
      groupBitOr(bitShiftLeft(toUInt16(1), toUInt8(rule))) as mask
    from int_intervals
    array join arrayMap(
      i -> toInt32(first_day + i),
      range(toUInt32(if(last_day >= first_day, last_day - first_day + 1, 0)))
    ) as online_day
    group by device_id, online_day
  )
  group by device_id
)
array join days_a as d, next_a as nd
