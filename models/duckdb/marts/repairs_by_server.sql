-- materialized: table
-- How often each repair rule fired per server: which servers lose the most
-- events. Rules 1-4 and the end case are charged to the server the device was
-- on (X); offline-after-offline and leading offline events to the server they name.
select
  server_id,
  server_id in (select server_id from stg_servers where err_reason is null and not blank) as known_server,
  count(*) filter (where rule between 0 and 4) as online_events,
  count(*) filter (where rule = 1) as rule_1,
  count(*) filter (where rule = 2) as rule_2,
  count(*) filter (where rule = 3) as rule_3,
  count(*) filter (where rule = 4) as rule_4,
  count(*) filter (where rule = 0) as end_case,
  count(*) filter (where rule in (7, 8)) as offline_after_offline,
  count(*) filter (where rule = 9) as leading_offline
from int_transitions
where rule >= 0
group by server_id
order by server_id
