-- materialized: table
-- A user's fleet size per day: the distinct devices that belong to the user
-- that day (SPEC section 4).
select user_id, day, count(*) as devices
from int_device_days
group by user_id, day
