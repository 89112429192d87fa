-- materialized: table
-- A user's 28-day fleet size per day (SPEC section 5). A device counts in the
-- window ending on D when it was online on one of D-27..D, and belongs to the
-- owner of its latest online day in the window. Each online day d of a device
-- therefore "owns" the window days from d up to the day before the device's
-- next online day, at most d + 27: one run per device-day, no 28x expansion.
with runs as (
  select
    user_id, day,
    least(
      coalesce(lead(day) over (partition by device_id order by day) - 1, {{ as_of_day }}),
      day + 27,
      {{ as_of_day }}
    ) as run_end
  from int_device_days
)
select user_id, window_day as day, count(*) as devices
from (
  select user_id, day as window_day from runs where run_end = day
  union all
  select user_id, unnest(range(day, run_end + 1)) as window_day from runs where run_end > day
)
group by user_id, window_day
