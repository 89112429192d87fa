-- materialized: table
-- One row per (device, day) the device was online (SPEC section 3), owned by
-- the user of the latest-starting interval touching that day (section 4);
-- rule is the rule that emitted that owning interval (0 = end case).
--
-- No (device, day) aggregation over every interval-day: a device's intervals
-- start in order (seq), so an interval owns the days from its first day up to
-- the day before the next interval's first day (the next one wins the day
-- they share). Only an interval whose end reaches past the next interval's
-- first day (SPEC's literal rule 4: destroyed(X) after the next event) can
-- own more: the days after that first day that no later interval touches.
-- Those candidate days are few; only they are settled by aggregation.
-- intervals is read twice (owned days, candidate days): materialized once,
-- not joined to the servers twice.
with intervals as materialized (
  select device_id, user_id, seq, rule, first_day, last_day, next_first_day
  from int_intervals
),
owned as (
  select
    device_id, user_id, seq, rule, first_day as from_day,
    case when next_first_day is null then last_day else least(last_day, next_first_day - 1) end as to_day
  from intervals
),
owned_days as (
  select device_id, user_id, seq, rule, from_day as day from owned where to_day = from_day
  union all
  select device_id, user_id, seq, rule, unnest(range(from_day, to_day + 1)) as day from owned where to_day > from_day
),
-- Days an interval reaches past the next interval's first day: it owns each
-- of them unless a later interval touches it (then the later one's owned day
-- or candidate day has a larger seq).
candidate_days as (
  select device_id, user_id, seq, rule, unnest(range(next_first_day + 1, last_day + 1)) as day
  from intervals
  where next_first_day is not null and last_day > next_first_day
),
contested as (
  select distinct device_id, day from candidate_days
)
select o.device_id, o.day, o.user_id, o.rule
from owned_days as o
anti join contested as c on c.device_id = o.device_id and c.day = o.day
union all
select device_id, day, arg_max(user_id, seq) as user_id, arg_max(rule, seq) as rule
from (
  select o.device_id, o.day, o.user_id, o.seq, o.rule
  from owned_days as o
  semi join contested as c on c.device_id = o.device_id and c.day = o.day
  union all
  select device_id, day, user_id, seq, rule from candidate_days
)
group by device_id, day
