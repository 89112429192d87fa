-- materialized: table
-- placement: initiator
-- A user's fleet size per day: the distinct devices that belong to the user
-- that day (SPEC section 4). Each device lives on one shard, so a shard's
-- (user, day) row counts are partial sums: ClickHouse adds them up on the
-- initiator, and only these counts cross shards.
select user_id, day, count() as devices
from {{ all_int_device_days }}
group by user_id, day
