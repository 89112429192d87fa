-- materialized: table
-- A user's fleet size per day: the distinct devices that belong to the user
-- that day (SPEC section 4), as runs of days [from_day, to_day] over which it
-- is the same (days without devices are left out). Counted from the runs of
-- owned days without expanding them: a run adds a device to its owner's fleet
-- on its first day and takes it away the day after its last; a user's running
-- sum of those changes is the fleet size, which holds until the user's next
-- change.
with changes as (
  select user_id, day, sum(delta) as delta
  from (
    select user_id, from_day as day, 1 as delta from int_device_day_ranges
    union all
    select user_id, to_day + 1 as day, -1 as delta from int_device_day_ranges
  )
  group by user_id, day
),
steps as (
  select user_id, day, sum(delta) over w as devices, lead(day) over w as next_day
  from changes
  window w as (partition by user_id order by day)
)
select user_id, day as from_day, next_day - 1 as to_day, devices
from steps
where devices > 0
