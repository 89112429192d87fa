-- materialized: view
-- The online intervals of SPEC section 2, one per online event, with the
-- rule that closed it and the days it touches (section 3), clipped to as_of.
with ends as (
  select
    t.device_id, t.user_id, t.seq, t.server_id, t.rule,
    t.ts_us as start_us, t.next_online_ts_us,
    case t.rule
      -- destroyed(X) unknown (empty or not in servers.csv) falls back as SPEC says
      when 0 then least(coalesce(s.destroyed_us, {{ as_of_end_us }}), {{ as_of_end_us }})
      when 1 then t.next_ts_us
      when 2 then least(coalesce(s.destroyed_us, t.next_ts_us), t.next_ts_us)
      when 3 then t.next_ts_us
      -- SPEC's literal rule 4 ends at destroyed(X), even past the next event;
      -- rule4_end = 'earlier' is the sensitivity variant (insights), which
      -- ends at the earlier of the two.
      when 4 then case {{ rule4_end }}
        when 'earlier' then least(coalesce(s.destroyed_us, t.next_ts_us), t.next_ts_us)
        else coalesce(s.destroyed_us, t.next_ts_us)
      end
    end as raw_end_us
  from int_transitions t
  left join stg_servers s on s.server_id = t.server_id and s.err_reason is null and not s.blank
  where t.rule between 0 and 4
)
select
  device_id, user_id, seq, server_id, rule, start_us,
  -- An end before the start becomes the single instant [s, s].
  greatest(raw_end_us, start_us) as end_us,
  raw_end_us < start_us as clamped,
  cast(start_us // 86400000000 - (start_us % 86400000000 < 0)::int as integer) as first_day,
  -- Half-open [s, e): an end exactly at midnight does not touch that day.
  least({{ as_of_day }}, cast(last_us // 86400000000 - (last_us % 86400000000 < 0)::int as integer)) as last_day,
  -- The first day of the device's next interval (null for its last one).
  cast(next_online_ts_us // 86400000000 - (next_online_ts_us % 86400000000 < 0)::int as integer) as next_first_day
from (
  -- Days are exact integer floor divisions (a double loses the last
  -- microsecond of a day in far-off years).
  select *, case when raw_end_us > start_us then raw_end_us - 1 else start_us end as last_us
  from ends
)
