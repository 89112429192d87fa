-- materialized: table
-- quality.json's input and repair counters, one row. The event counts come
-- per server from int_server_events (every event of the window once: online
-- events, the offline events closing intervals, ignored offline events).
with events as (
  select
    sum(events) as events_used,
    sum(events) filter (where not known_server) as unknown_server_events,
    count(*) filter (where not known_server and events > 0) as unknown_servers
  from int_server_events
),
entities as (
  select
    count(distinct device_id) as devices,
    count(distinct user_id) filter (where rule between 0 and 4) as users_with_online_events
  from int_transitions
  where rule >= 0
),
bad as (
  select
    count(*) filter (where rule = -1) as events_rejected,
    count(*) filter (where rule = -2) as events_blank_lines
  from int_transitions
),
intervals as (
  select
    -- One interval per online event.
    (select sum(online_events) from int_server_events) as intervals,
    -- Only an end at destroyed(X) can come before the start (rules 0, 2, 4):
    -- the filter on rule spares computing the other intervals.
    (select count(*) from int_intervals where rule in (0, 2, 4) and clamped) as clamped_intervals
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
select * from events, entities, bad, intervals, days
