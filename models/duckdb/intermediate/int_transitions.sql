-- materialized: table
-- Each device's events in (timestamp, file position) order, paired with the
-- previous and next event (SPEC section 2 is a pairwise computation). Only
-- the rows the later models need are kept:
--   online events (each opens an interval; rule = the rule that closes it,
--     0 = the end case), with open_rule 5/6 (after an offline event),
--     0 (the device's first event) or null (after an online event: rule 1/2);
--   offline events after an offline event (rule 7/8) or first (rule 9 =
--     leading offline);
--   bad lines (rule -1) and blank lines (rule -2), to be counted (the
--     rejects path reads their text and line numbers from the file).
-- Offline events after an online event are represented by the interval
-- they close (next_ts_us, next_server_id). next_online_ts_us is the start of
-- the device's next interval.
select
  device_id, user_id, server_id, ts_us, seq,
  -- Small codes: every byte of the 5M kept rows costs when they are stored.
  cast(case
    when blank then -2
    when not ok then -1
    when connected then
      case
        when next_ts_us is null then 0
        when next_connected and next_server_id = server_id then 1
        when next_connected then 2
        when next_server_id = server_id then 3
        else 4
      end
    when prev_connected then null
    when prev_server_id is null then 9
    when prev_server_id = server_id then 7
    else 8
  end as tinyint) as rule,
  cast(case
    when not ok or not connected or prev_connected then null
    when prev_server_id is null then 0
    when prev_server_id = server_id then 5
    else 6
  end as tinyint) as open_rule,
  next_ts_us, next_server_id, next_online_ts_us
from (
  select
    device_id, user_id, server_id, ts_us, connected, line_no, ok, blank,
    cast(row_number() over w as {{ int_type }}) as seq,
    lag(server_id) over w as prev_server_id,
    lag(connected) over w as prev_connected,
    lead(ts_us) over w as next_ts_us,
    lead(server_id) over w as next_server_id,
    lead(connected) over w as next_connected,
    -- The next online event, however many offline events come between: the
    -- start of the device's next interval (the owned-day runs need it).
    lead(case when connected then ts_us end ignore nulls) over w as next_online_ts_us
  from (
    select
      cast(rowid + 1 + {{ header_lines }} as {{ int_type }}) as line_no, ok, blank,
      -- Bad and blank lines go to a partition of their own (device_id null)
      -- so that they never disturb a real device's pairing. Ids are narrowed
      -- to 32 bits when they fit (int_type): the sort behind the window is
      -- most of this model's cost, and it scales with the row width.
      cast(case when ok then device_id end as {{ int_type }}) as device_id,
      cast(case when ok then user_id end as {{ int_type }}) as user_id,
      cast(case when ok then server_id end as {{ int_type }}) as server_id,
      ts_us, connected
    from stg_events
    where not ok or {{ as_of_end_us }} is null or ts_us < {{ as_of_end_us }}
  )
  window w as (partition by device_id order by ts_us, line_no)
)
where not ok or connected or not coalesce(prev_connected, false)
