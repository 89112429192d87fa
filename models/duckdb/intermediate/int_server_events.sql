-- materialized: table
-- dialect-only: the embedded engine counts events per server once for the quality marts; the ClickHouse marts count on each shard themselves.
-- The window's events per server they name, by the part they play in the
-- repair (SPEC section 2): one row per server id, known or not. A few hundred
-- rows instead of millions: quality.json and repairs_by_server.csv take their
-- counters from here rather than each scanning the events again.
--   online events (each opens an interval) by the rule that closes it: X;
--   the offline event that closes an interval (rules 3, 4): the server it
--     names (X itself for rule 3, next_server_id for rule 4);
--   ignored offline events (rules 7, 8) and leading ones: the server they name.
with named as (
  select
    server_id,
    count(*) filter (where rule between 0 and 4) as online_events,
    count(*) filter (where rule = 1) as rule_1,
    count(*) filter (where rule = 2) as rule_2,
    count(*) filter (where rule = 3) as rule_3,
    count(*) filter (where rule = 4) as rule_4,
    count(*) filter (where rule = 0) as end_case,
    count(*) filter (where open_rule = 5) as rule_5,
    count(*) filter (where open_rule = 6) as rule_6,
    count(*) filter (where open_rule = 0) as first_online,
    count(*) filter (where rule = 7) as rule_7,
    count(*) filter (where rule = 8) as rule_8,
    count(*) filter (where rule = 9) as leading_offline
  from int_transitions
  where rule >= 0
  group by server_id
),
closing as (
  select next_server_id as server_id, count(*) as closing_offline
  from int_transitions
  where rule in (3, 4)
  group by next_server_id
)
select
  server_id,
  server_id in (select server_id from stg_servers where err_reason is null and not blank) as known_server,
  -- Whether an event row names the server as X (online events, ignored and
  -- leading offline events): repairs_by_server.csv lists those servers.
  named.server_id is not null as named_by_row,
  coalesce(online_events, 0) as online_events,
  coalesce(rule_1, 0) as rule_1,
  coalesce(rule_2, 0) as rule_2,
  coalesce(rule_3, 0) as rule_3,
  coalesce(rule_4, 0) as rule_4,
  coalesce(end_case, 0) as end_case,
  coalesce(rule_5, 0) as rule_5,
  coalesce(rule_6, 0) as rule_6,
  coalesce(first_online, 0) as first_online,
  coalesce(rule_7, 0) as rule_7,
  coalesce(rule_8, 0) as rule_8,
  coalesce(leading_offline, 0) as leading_offline,
  coalesce(closing_offline, 0) as closing_offline,
  -- Every event of the window once.
  coalesce(online_events, 0) + coalesce(rule_7, 0) + coalesce(rule_8, 0) + coalesce(leading_offline, 0)
    + coalesce(closing_offline, 0) as events
from named
full join closing using (server_id)
