-- materialized: table
-- placement: initiator
-- Devices per day by the owner's fleet-size bucket (SPEC 4 and 5), for both
-- series: 'daily' (fleet size that day) and 'rolling28' (28-day fleet size).
-- Every day from the first event's day to as_of is present, zeros included
-- (a zero row per day and series is added to the sums: no join needed).
-- date is the day as YYYY-MM-DD, computed from the day number with integer
-- arithmetic (the civil-from-days algorithm), not by ClickHouse's date
-- functions: exact for any day, on every ClickHouse version.
select
  series, day, date_text as date,
  fleet_1_2, fleet_3_9, fleet_10_99, fleet_100_999, fleet_1000_plus
from (
  select
    series, day,
    sum(f_1_2) as fleet_1_2, sum(f_3_9) as fleet_3_9, sum(f_10_99) as fleet_10_99,
    sum(f_100_999) as fleet_100_999, sum(f_1000_plus) as fleet_1000_plus,
    toInt64(day) + 719468 as z_,
    intDiv(z_ - if(z_ < 0, 146096, 0), 146097) as era_,
    z_ - era_ * 146097 as doe_,
    intDiv(doe_ - intDiv(doe_, 1460) + intDiv(doe_, 36524) - intDiv(doe_, 146096), 365) as yoe_,
    doe_ - (365 * yoe_ + intDiv(yoe_, 4) - intDiv(yoe_, 100)) as doy_,
    intDiv(5 * doy_ + 2, 153) as mp_,
    if(mp_ < 10, mp_ + 3, mp_ - 9) as month_,
    yoe_ + era_ * 400 + (month_ <= 2) as year_,
    doy_ - intDiv(153 * mp_ + 2, 5) + 1 as mday_,
    concat(
      substring(toString(10000 + year_), 2), '-',
      substring(toString(100 + month_), 2), '-',
      substring(toString(100 + mday_), 2)
    ) as date_text
  from (
    select s as series, d as day,
      toUInt64(0) as f_1_2, toUInt64(0) as f_3_9, toUInt64(0) as f_10_99,
      toUInt64(0) as f_100_999, toUInt64(0) as f_1000_plus
    from (select arrayJoin(['daily', 'rolling28']) as s)
    array join arrayMap(
      i -> toInt32({{ first_day }} + i),
      range(toUInt32({{ as_of_day }} - {{ first_day }} + 1))
    ) as d
    union all
    select 'daily' as series, day,
      toUInt64(if(devices <= 2, devices, 0)) as f_1_2,
      toUInt64(if(devices >= 3 and devices <= 9, devices, 0)) as f_3_9,
      toUInt64(if(devices >= 10 and devices <= 99, devices, 0)) as f_10_99,
      toUInt64(if(devices >= 100 and devices <= 999, devices, 0)) as f_100_999,
      toUInt64(if(devices >= 1000, devices, 0)) as f_1000_plus
    from int_user_fleet_daily
    union all
    select 'rolling28' as series, day,
      toUInt64(if(devices <= 2, devices, 0)) as f_1_2,
      toUInt64(if(devices >= 3 and devices <= 9, devices, 0)) as f_3_9,
      toUInt64(if(devices >= 10 and devices <= 99, devices, 0)) as f_10_99,
      toUInt64(if(devices >= 100 and devices <= 999, devices, 0)) as f_100_999,
      toUInt64(if(devices >= 1000, devices, 0)) as f_1000_plus
    from int_user_fleet_rolling28
  )
  group by series, day
)
order by series, day
