-- materialized: table
-- placement: initiator
-- A user's 28-day fleet size per day (SPEC section 5). A device counts in the
-- window ending on D when it was online on one of D-27..D, and belongs to the
-- owner of its latest online day in the window. Each online day d of a device
-- therefore "owns" the window days from d up to the day before the device's
-- next online day (next_day, found on the shard), at most d + 27: one run per
-- device-day, no 28x expansion. The runs are expanded and counted per
-- (user, key_day) on each shard; the initiator adds up the counts. The pair
-- is one grouping key, as in int_user_fleet_daily.
select {{ key_user }} as user_id, {{ key_day }} as day, devices
from (
  select {{ user_day_key }} as k, count() as devices
  from {{ all_int_device_days }}
  array join arrayMap(
    i -> toInt32(day + i),
    range(toUInt32(least(least(next_day - 1, day + 27), toInt32({{ as_of_day }})) - day + 1))
  ) as key_day
  group by k
)
