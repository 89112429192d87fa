-- materialized: view
-- One row per line of the events file, in file order, every field parsed and
-- checked against SPEC section 1. Nothing is dropped here: a bad line gets
-- ok = false, and the err_* columns name the first failing field, the reason
-- and the offending text (computed only on the rejects path).
-- The file is read as whole lines (chr(1) never occurs in a valid export) so
-- that we see wrong field counts and keep lines verbatim ourselves.
-- id_type is UINTEGER on the first, narrow pass (less memory and a cheaper
-- sort downstream) and UBIGINT when that pass finds lines it cannot take.
-- No line numbers here: numbering a view's rows (ROW_NUMBER() OVER ()) makes
-- DuckDB parse on one thread; stg_events takes them from insertion order.
with lines as (
  select line, string_split(line, ',') as f
  from read_csv(
    {{ path }},
    columns = {'line': 'VARCHAR'}, header = {{ header }}, auto_detect = false,
    delim = chr(1), quote = '', escape = '', new_line = {{ new_line }},
    compression = {{ compression }}
  )
),
parsed as (
  select
    line, f,
    epoch_us(try_cast(f[1] as timestamp)) as ts_us,
    try_cast(f[2] as {{ id_type }}) as device_id,
    try_cast(f[3] as {{ id_type }}) as user_id,
    try_cast(f[4] as {{ id_type }}) as server_id,
    case f[5] when 'true' then true when 'false' then false
      else case lower(f[5]) when 't' then true when '1' then true when 'true' then true
                            when 'f' then false when '0' then false when 'false' then false end
    end as connected,
    -- DuckDB's casts are lenient (offsets, '+5', '1e3', 'yes', hour 24): the
    -- line must also have SPEC's exact shape. One match per line is the
    -- cheapest strict check; the casts then catch impossible dates and
    -- integers out of range.
    regexp_full_match(line, {{ event_line_re }}) as shape_ok
  from lines
),
checked as (
  select *,
    len(f) as n_fields,
    f[1] as ts_text, f[2] as device_text, f[3] as user_text, f[4] as server_text, f[5] as connected_text,
    ts_us is not null
      and regexp_full_match(f[1], {{ timestamp_re }})
      as ts_ok,
    device_id is not null and regexp_full_match(f[2], '\d+') as device_ok,
    user_id is not null and regexp_full_match(f[3], '\d+') as user_ok,
    server_id is not null and regexp_full_match(f[4], '\d+') as server_ok
  from parsed
)
select
  line, ts_us, device_id, user_id, server_id, connected,
  -- Blank lines carry no data: they are skipped and counted, not rejected.
  coalesce(line, '') = '' as blank,
  coalesce(shape_ok and ts_us is not null and device_id is not null and user_id is not null
    and server_id is not null, false) as ok,
  case
    when coalesce(line, '') = '' then null
    when n_fields < 5 then ['timestamp', 'device_id', 'user_id', 'server_id', 'connected'][n_fields + 1]
    when n_fields > 5 then 'line'
    when not ts_ok then 'timestamp'
    when not device_ok then 'device_id'
    when not user_ok then 'user_id'
    when not server_ok then 'server_id'
    when connected is null then 'connected'
  end as err_field,
  case
    when coalesce(line, '') = '' then null
    when n_fields <> 5 then 'wrong number of fields: expected 5, found ' || n_fields
    when not ts_ok then 'bad timestamp'
    when not device_ok then 'bad integer'
    when not user_ok then 'bad integer'
    when not server_ok then 'bad integer'
    when connected is null then 'bad boolean'
  end as err_reason,
  case
    when coalesce(line, '') = '' then null
    when n_fields <> 5 then line
    when not ts_ok then ts_text
    when not device_ok then device_text
    when not user_ok then user_text
    when not server_ok then server_text
    else connected_text
  end as err_text
from checked
