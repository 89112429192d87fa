-- materialized: table
-- quality.json's input and repair counters, one row.
with t as (select * from int_transitions where rule >= 0),
known as (select server_id from stg_servers where err_reason is null and not blank)
select
  (select count(*) from t where rule between 0 and 4)
    + (select count(*) from t where rule in (3, 4))
    + (select count(*) from t where rule in (7, 8, 9)) as events_used,
  (select count(*) from int_transitions where rule = -1) as events_rejected,
  (select count(*) from int_transitions where rule = -2) as events_blank_lines,
  (select count(distinct device_id) from t) as devices,
  (select count(distinct user_id) from t where rule between 0 and 4) as users_with_online_events,
  (select count(*) from t where server_id not in (select server_id from known))
    + (select count(*) from t where rule in (3, 4) and next_server_id not in (select server_id from known))
    as unknown_server_events,
  (select count(distinct server_id) from (
     select server_id from t union all select next_server_id from t where rule in (3, 4)
   ) where server_id not in (select server_id from known)) as unknown_servers,
  (select count(*) from int_intervals) as intervals,
  (select count(*) from int_intervals where clamped) as clamped_intervals,
  (select count(*) from int_device_days) as device_days,
  (select count(*) from int_device_days where rule_mask & 8 = 0) as device_days_repaired_only
