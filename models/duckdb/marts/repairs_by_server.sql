-- materialized: table
-- How often each repair rule fired per server: which servers lose the most
-- events. Rules 1-4 and the end case are charged to the server the device was
-- on (X); offline-after-offline and leading offline events to the server they name.
select
  server_id, known_server, online_events, rule_1, rule_2, rule_3, rule_4, end_case,
  rule_7 + rule_8 as offline_after_offline, leading_offline
from int_server_events
where named_by_row
order by server_id
