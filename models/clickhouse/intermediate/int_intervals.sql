-- materialized: view
-- placement: shards
-- The online intervals of SPEC section 2, one per online event, with the rule
-- that closed it and the days it touches (section 3), clipped to as_of; on
-- each shard, for its devices. servers.csv is on every node, so destroyed(X)
-- is a local join. A server not in servers.csv (no row joined) has
-- has_destroyed = 0, like one whose destroyed_at is empty: unknown.
-- Days are exact integer floor divisions of epoch microseconds.
select
  device_id, user_id, seq, server_id, rule, start_us,
  -- An end before the start becomes the single instant [s, s].
  if(raw_end_us < start_us, start_us, raw_end_us) as end_us,
  toUInt8(raw_end_us < start_us) as clamped,
  toInt32(intDiv(start_us, toInt64(86400000000)) - (start_us % toInt64(86400000000) < 0)) as first_day,
  -- Half-open [s, e): an end exactly at midnight does not touch that day.
  toInt32(least(toInt64({{ as_of_day }}),
    intDiv(last_us, toInt64(86400000000)) - (last_us % toInt64(86400000000) < 0))) as last_day
from (
  select
    device_id, user_id, seq, server_id, rule, ts_us as start_us,
    multiIf(
      -- destroyed(X) unknown (empty or not in servers.csv) falls back as SPEC says
      rule = 0, if(has_destroyed = 1, least(destroyed_us, toInt64({{ as_of_end_us }})), toInt64({{ as_of_end_us }})),
      rule = 1, next_ts_us,
      rule = 2, if(has_destroyed = 1, least(destroyed_us, next_ts_us), next_ts_us),
      rule = 3, next_ts_us,
      -- SPEC's literal rule 4 ends at destroyed(X), even past the next event;
      -- rule4_end = 'earlier' is the sensitivity variant (insights), which
      -- ends at the earlier of the two.
      {{ rule4_end }} = 'earlier', if(has_destroyed = 1, least(destroyed_us, next_ts_us), next_ts_us),
      if(has_destroyed = 1, destroyed_us, next_ts_us)
    ) as raw_end_us,
    if(raw_end_us > ts_us, raw_end_us - 1, ts_us) as last_us
  from int_transitions
  any left join (select server_id, destroyed_us, has_destroyed from stg_servers) as s using server_id
  where rule between 0 and 4
)
