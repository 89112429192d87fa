-- materialized: table
-- Devices per day by the owner's fleet-size bucket (SPEC 4 and 5), for both
-- series: 'daily' (fleet size that day) and 'rolling28' (28-day fleet size).
-- Every day from the first event's day to as_of is present, zeros included.
-- A run of days with one fleet size adds that many devices to its bucket
-- from its first day and takes them away after its last: a running sum per
-- bucket over the days, no run expanded.
with fleets as (
  select 'daily' as series, from_day, to_day, devices from int_user_fleet_daily
  union all
  select 'rolling28' as series, from_day, to_day, devices from int_user_fleet_rolling28
),
changes as (
  select series, day,
    sum(d) filter (where devices <= 2) as d_1_2,
    sum(d) filter (where devices between 3 and 9) as d_3_9,
    sum(d) filter (where devices between 10 and 99) as d_10_99,
    sum(d) filter (where devices between 100 and 999) as d_100_999,
    sum(d) filter (where devices >= 1000) as d_1000_plus
  from (
    select series, from_day as day, devices, devices as d from fleets
    union all
    select series, to_day + 1 as day, devices, -devices as d from fleets
  )
  group by series, day
),
spine as (
  select series, unnest(range({{ first_day }}, {{ as_of_day }} + 1)) as day
  from (values ('daily'), ('rolling28')) as s(series)
)
select
  spine.series, spine.day,
  (sum(coalesce(d_1_2, 0)) over w)::bigint as fleet_1_2,
  (sum(coalesce(d_3_9, 0)) over w)::bigint as fleet_3_9,
  (sum(coalesce(d_10_99, 0)) over w)::bigint as fleet_10_99,
  (sum(coalesce(d_100_999, 0)) over w)::bigint as fleet_100_999,
  (sum(coalesce(d_1000_plus, 0)) over w)::bigint as fleet_1000_plus
from spine
left join changes using (series, day)
window w as (partition by spine.series order by spine.day)
