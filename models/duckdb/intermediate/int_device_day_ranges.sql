-- materialized: table
-- dialect-only: the embedded engine keeps owned days as runs; ClickHouse settles them per device in arrays inside its own int_device_days.
-- The online days of each device (SPEC section 3) as runs of days with one
-- owner (section 4): the user of the latest-starting interval touching each
-- day. rule is the rule that emitted the owning interval (0 = end case);
-- next_from_day is the first day of the device's next run (null after its
-- last one): the 28-day window needs it.
--
-- A device's intervals start in order (seq), so an interval owns the days
-- from its first day up to the day before the next interval's first day (the
-- last interval starting on a day owns it): one run per interval, no day
-- expanded, and the next run starts on the next interval's first day.
-- Only an interval whose end reaches past the next interval's first day
-- (SPEC's literal rule 4: destroyed(X) after the next event) touches more:
-- its days after that first day. A later interval owns any of them that it
-- reaches (it started later); the others, which no run covers, are owned by
-- the latest-starting reaching interval. The few devices with such days get
-- their next_from_day recounted.
with runs as materialized (
  select
    device_id, user_id, rule, first_day as from_day,
    case when next_first_day is null then last_day else least(last_day, next_first_day - 1) end as to_day,
    next_first_day as next_from_day
  from int_intervals
  where next_first_day is null or next_first_day > first_day
),
-- Only rule 4 ends an interval later than the next event (rules 1-3 end at
-- it; the end case has no next interval): filtering on it first spares
-- computing the other intervals twice.
reached_days as (
  select device_id, user_id, seq, rule, unnest(range(next_first_day + 1, last_day + 1)) as day
  from int_intervals
  where rule = 4 and next_first_day is not null and last_day > next_first_day
),
reaching_devices as (
  select distinct device_id from reached_days
),
run_days_of_reaching_devices as (
  select device_id, unnest(range(from_day, to_day + 1)) as day
  from runs
  semi join reaching_devices using (device_id)
),
extra_days as (
  select device_id, day, arg_max(user_id, seq) as user_id, arg_max(rule, seq) as rule
  from reached_days
  anti join run_days_of_reaching_devices using (device_id, day)
  group by device_id, day
)
select device_id, user_id, rule, from_day, to_day, next_from_day
from runs
where device_id not in (select device_id from extra_days)
union all
select
  device_id, user_id, rule, from_day, to_day,
  lead(from_day) over (partition by device_id order by from_day) as next_from_day
from (
  select device_id, user_id, rule, from_day, to_day
  from runs
  where device_id in (select device_id from extra_days)
  union all
  select device_id, user_id, rule, day, day from extra_days
)
