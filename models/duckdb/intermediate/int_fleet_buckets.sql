-- materialized: table
-- Devices per day by the owner's fleet-size bucket (SPEC 4 and 5), for both
-- series: 'daily' (fleet size that day) and 'rolling28' (28-day fleet size).
-- Every day from the first event's day to as_of is present, zeros included.
with fleets as (
  select 'daily' as series, user_id, day, devices from int_user_fleet_daily
  union all
  select 'rolling28' as series, user_id, day, devices from int_user_fleet_rolling28
),
by_day as (
  select
    series, day,
    sum(devices) filter (where devices <= 2) as fleet_1_2,
    sum(devices) filter (where devices between 3 and 9) as fleet_3_9,
    sum(devices) filter (where devices between 10 and 99) as fleet_10_99,
    sum(devices) filter (where devices between 100 and 999) as fleet_100_999,
    sum(devices) filter (where devices >= 1000) as fleet_1000_plus
  from fleets
  group by series, day
),
spine as (
  select series, unnest(range({{ first_day }}, {{ as_of_day }} + 1)) as day
  from (values ('daily'), ('rolling28')) as s(series)
)
select
  spine.series, spine.day,
  coalesce(fleet_1_2, 0)::bigint as fleet_1_2,
  coalesce(fleet_3_9, 0)::bigint as fleet_3_9,
  coalesce(fleet_10_99, 0)::bigint as fleet_10_99,
  coalesce(fleet_100_999, 0)::bigint as fleet_100_999,
  coalesce(fleet_1000_plus, 0)::bigint as fleet_1000_plus
from spine
left join by_day using (series, day)
