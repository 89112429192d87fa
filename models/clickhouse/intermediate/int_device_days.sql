-- materialized: table
-- placement: shards
-- One row per (device, day) the device was online (SPEC section 3), owned by
-- the user of the latest-starting interval touching that day (section 4);
-- rule is the rule that emitted that owning interval (0 = end case), and
-- observed = 1 when an interval emitted by rule 3 (an observed disconnect)
-- touches the day (quality.json: device-days resting on repairs only).
-- next_day is the device's next online day (as_of_day + 1 after its last):
-- the 28-day window needs it. On each shard, for its devices.
--
-- All of it is per device, so it is one pass over each device's intervals,
-- with arrays, not a GROUP BY over every (device, day): a device's
-- (day, seq, user, rule) touches sorted by day then seq, of which the last of
-- each day is its owner (the latest-starting interval: seq is the event
-- order). "The last of each day" and "the next online day" compare each
-- element with the array shifted by one. (day, observed) touches sorted the
-- same way give, last of each day, whether any rule-3 interval touches it.
-- Columns that a lambda needs are passed to it as arrays (replicate), not
-- captured: ClickHouse 18.16 does not read, through a view, a column that
-- only a lambda mentions.
select device_id, d.1 as day, d.3 as user_id, d.4 as rule, o as observed, nd as next_day
from (
  select
    device_id,
    arrayFilter(
      (x, next_x_day) -> x.1 != next_x_day,
      touch_a, arrayPushBack(arrayPopFront(arrayMap(x -> x.1, touch_a)), toInt32(2147483647))
    ) as days_a,
    arrayMap(x -> x.2, arrayFilter(
      (x, next_x_day) -> x.1 != next_x_day,
      observed_a, arrayPushBack(arrayPopFront(arrayMap(x -> x.1, observed_a)), toInt32(2147483647))
    )) as observed_days_a,
    arrayPushBack(arrayPopFront(arrayMap(x -> x.1, days_a)), toInt32({{ as_of_day }} + 1)) as next_a
  from (
    select
      device_id,
      arraySort(groupArrayArray(touch)) as touch_a,
      arraySort(groupArrayArray(observed)) as observed_a
    from (
      select
        device_id,
        arrayMap(
          i -> toInt32(first_day + i),
          range(toUInt32(if(last_day >= first_day, last_day - first_day + 1, 0)))
        ) as interval_days,
        arrayMap((d, o) -> (d, o.1, o.2, o.3), interval_days, replicate((seq, user_id, rule), interval_days)) as touch,
        arrayMap((d, r) -> (d, toUInt8(r = 3)), interval_days, replicate(rule, interval_days)) as observed
      from int_intervals
    )
    group by device_id
  )
)
array join days_a as d, observed_days_a as o, next_a as nd
