-- materialized: table
-- placement: initiator
-- A user's fleet size per day: the distinct devices that belong to the user
-- that day (SPEC section 4). Each device lives on one shard, so a shard's
-- (user, day) row counts are partial sums: ClickHouse adds them up on the
-- initiator, and only these counts cross shards.
-- The (user, key_day) pair is grouped as one key, user_day_key, which the
-- engine makes a single UInt64 when user ids fit in 32 bits (ClickHouse 18.16
-- groups that several times faster than two columns) and a tuple otherwise;
-- key_user and key_day split k again. key_day is the day, named as in
-- int_user_fleet_rolling28 (a one-day window).
select {{ key_user }} as user_id, {{ key_day }} as day, devices
from (
  select {{ user_day_key }} as k, count() as devices
  from {{ all_int_device_days }}
  array join [day] as key_day
  group by k
)
