-- materialized: table
-- Every rejected line of both inputs, verbatim, with its line number, the
-- first failing field, the reason and the offending value: rejects.csv.
select file, line_number, field, reason, value, line from (
  select {{ servers_label }} as file, 1 as file_order, line_no as line_number, err_field as field,
    err_reason as reason, err_text as value, line
  from stg_servers
  where err_reason is not null
  union all
  select {{ events_label }} as file, 2 as file_order, line_no as line_number, err_field as field,
    err_reason as reason, err_text as value, line
  from (
    -- Numbering a view's rows runs on one thread; this path runs only when
    -- there are bad lines.
    select row_number() over () + {{ events_header_lines }} as line_no, *
    from stg_event_lines
  )
  where not ok and not blank
)
order by file_order, line_number
