-- materialized: table
-- A user's 28-day fleet size per day (SPEC section 5). A device counts in the
-- window ending on D when it was online on one of D-27..D, and belongs to the
-- owner of its latest online day in the window. A run of owned days
-- [from_day, to_day] therefore holds the device in its owner's 28-day fleet
-- from from_day up to the day before the device's next run, at most
-- to_day + 27. Counted like int_user_fleet_daily: changes, running sums,
-- runs of days with the same 28-day fleet size.
with held as (
  select user_id, from_day,
    least(coalesce(next_from_day - 1, {{ as_of_day }}), to_day + 27, {{ as_of_day }}) as to_day
  from int_device_day_ranges
),
changes as (
  select user_id, day, sum(delta) as delta
  from (
    select user_id, from_day as day, 1 as delta from held
    union all
    select user_id, to_day + 1 as day, -1 as delta from held
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
