-- materialized: table
-- placement: initiator
-- How often each repair rule fired per server: which servers lose the most
-- events. Rules 1-4 and the end case are charged to the server the device was
-- on (X); offline-after-offline and leading offline events to the server they name.
-- Counted per server on each shard, added up here. known_server is the text
-- 'true' / 'false' (ClickHouse 18.16 has no Bool), as the CSV spells it.
select
  cast(sid as {{ int_type }}) as server_id,
  if(sid in (select server_id from {{ data }}.servers), 'true', 'false') as known_server,
  online_events, rule_1, rule_2, rule_3, rule_4, end_case, offline_after_offline, leading_offline
from (
  select
    server_id as sid,
    countIf(rule between 0 and 4) as online_events,
    countIf(rule = 1) as rule_1,
    countIf(rule = 2) as rule_2,
    countIf(rule = 3) as rule_3,
    countIf(rule = 4) as rule_4,
    countIf(rule = 0) as end_case,
    countIf(rule in (7, 8)) as offline_after_offline,
    countIf(rule = 9) as leading_offline
  from {{ all_int_transitions }}
  where rule >= 0
  group by server_id
)
order by sid
