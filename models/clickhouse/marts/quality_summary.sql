-- materialized: table
-- placement: initiator
-- quality.json's input and repair counters, one row. Each scalar subquery is
-- one pass over a table of every shard. Distinct counts (devices, users,
-- servers) are uniqExact states merged on the initiator: a user's devices can
-- sit on several shards. A server is known when servers.csv names it (every
-- node holds servers.csv, so the IN runs on each shard, locally).
-- events_rejected and events_blank_lines were counted at load time.
select
  tupleElement(t, 1) as events_used,
  tupleElement(l, 1) as events_rejected,
  tupleElement(l, 2) as events_blank_lines,
  tupleElement(t, 2) as devices,
  tupleElement(t, 3) as users_with_online_events,
  tupleElement(t, 4) as unknown_server_events,
  tupleElement(u, 1) as unknown_servers,
  tupleElement(i, 1) as intervals,
  tupleElement(i, 2) as clamped_intervals,
  tupleElement(d, 1) as device_days,
  tupleElement(d, 2) as device_days_repaired_only
from (
  select
    (
      select (
        countIf(rule between 0 and 4) + countIf(rule in (3, 4)) + countIf(rule in (7, 8, 9)),
        uniqExact(device_id),
        uniqExactIf(user_id, rule between 0 and 4),
        countIf(server_id not in (select server_id from {{ data }}.servers))
          + countIf(rule in (3, 4) and next_server_id not in (select server_id from {{ data }}.servers))
      )
      from {{ all_int_transitions }}
      where rule >= 0
    ) as t,
    (
      select tuple(uniqExactIf(s, s not in (select server_id from {{ data }}.servers)))
      from {{ all_int_transitions }}
      array join if(rule in (3, 4), [server_id, next_server_id], [server_id]) as s
      where rule >= 0
    ) as u,
    (select (count(), countIf(clamped = 1)) from {{ all_int_intervals }}) as i,
    (select (count(), countIf(observed = 0)) from {{ all_int_device_days }}) as d,
    (select (events_rejected, events_blank) from {{ data }}.load_info) as l
)
