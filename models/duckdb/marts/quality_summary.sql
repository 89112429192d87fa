-- materialized: table
-- quality.json's input and repair counters, one row. Every event of the
-- window is represented once in int_transitions' valid rows: as an online
-- event (rules 0-4), as the offline event closing an interval (rules 3, 4:
-- next_*), or as an ignored offline event (rules 7, 8, 9).
with known as (
  select server_id from stg_servers where err_reason is null and not blank
),
t as (
  select
    t.device_id, t.user_id, t.rule, t.server_id, t.next_server_id,
    k1.server_id is null as unknown_self,
    t.rule in (3, 4) and k2.server_id is null as unknown_next
  from int_transitions as t
  left join known as k1 on k1.server_id = t.server_id
  left join known as k2 on k2.server_id = t.next_server_id
  where t.rule >= 0
),
events as (
  select
    count(*) + count(*) filter (where rule in (3, 4)) as events_used,
    count(distinct device_id) as devices,
    count(distinct user_id) filter (where rule between 0 and 4) as users_with_online_events,
    count(*) filter (where unknown_self) + count(*) filter (where unknown_next) as unknown_server_events
  from t
),
unknown as (
  select count(distinct server_id) as unknown_servers from (
    select server_id from t where unknown_self
    union all
    select next_server_id from t where unknown_next
  )
),
bad as (
  select
    count(*) filter (where rule = -1) as events_rejected,
    count(*) filter (where rule = -2) as events_blank_lines
  from int_transitions
),
intervals as (
  select count(*) as intervals, count(*) filter (where clamped) as clamped_intervals
  from int_intervals
),
-- A device-day rests only on repairs when no rule-3 (observed) interval
-- touches it. A rule-3 interval never reaches past the next interval's first
-- day, so it touches the days it owns and, when it ends on the day the next
-- interval starts, that shared day: the first day of the run that owns it.
observed_shared_days as (
  select device_id, last_day as day
  from int_intervals
  where rule = 3 and last_day = next_first_day
),
days as (
  select
    sum(to_day - from_day + 1) as device_days,
    -- Runs start on distinct days, so the semi join counts each day once.
    sum(to_day - from_day + 1) filter (where rule <> 3)
      - (select count(*) from int_device_day_ranges as r
         semi join observed_shared_days as o on o.device_id = r.device_id and o.day = r.from_day
         where r.rule <> 3)
      as device_days_repaired_only
  from int_device_day_ranges
)
select * from events, unknown, bad, intervals, days
