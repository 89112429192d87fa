-- materialized: table
-- servers.csv, one row per line in file order, parsed and checked like the
-- events (SPEC section 1). destroyed_at is empty for a server that still exists.
with lines as (
  select
    row_number() over () + {{ header_lines }} as line_no,
    line,
    string_split(line, ',') as f
  from read_csv(
    {{ path }},
    columns = {'line': 'VARCHAR'}, header = {{ header }}, auto_detect = false,
    delim = chr(1), quote = '', escape = '', new_line = {{ new_line }},
    compression = {{ compression }}
  )
),
parsed as (
  select
    line_no, line, len(f) as n_fields,
    f[1] as id_text, f[2] as created_text, f[3] as destroyed_text,
    try_cast(f[1] as ubigint) as server_id,
    epoch_us(try_cast(f[2] as timestamp)) as created_us,
    epoch_us(try_cast(nullif(f[3], '') as timestamp)) as destroyed_us
  from lines
),
checked as (
  select *,
    server_id is not null and (cast(server_id as varchar) = id_text or regexp_full_match(id_text, '\d+')) as id_ok,
    created_us is not null
      and regexp_full_match(created_text, {{ timestamp_re }}) as created_ok,
    destroyed_text = '' or (destroyed_us is not null
      and regexp_full_match(destroyed_text, {{ timestamp_re }})) as destroyed_ok
  from parsed
),
numbered as (
  select *,
    -- The first line that names a server wins; a later one is a duplicate.
    min(case when id_ok then line_no end) over (partition by case when id_ok then server_id end) as first_line_no
  from checked
)
select
  line_no, line, server_id, created_us, destroyed_us,
  coalesce(line, '') = '' as blank,
  case
    when coalesce(line, '') = '' then null
    when n_fields < 3 then ['id', 'created_at', 'destroyed_at'][n_fields + 1]
    when n_fields > 3 then 'line'
    when not id_ok then 'id'
    when not created_ok then 'created_at'
    when not destroyed_ok then 'destroyed_at'
    when destroyed_us < created_us then 'destroyed_at'
    when first_line_no < line_no then 'id'
  end as err_field,
  case
    when coalesce(line, '') = '' then null
    when n_fields <> 3 then 'wrong number of fields: expected 3, found ' || n_fields
    when not id_ok then 'bad integer'
    when not created_ok then 'bad timestamp'
    when not destroyed_ok then 'bad timestamp'
    when destroyed_us < created_us then 'destroyed_at before created_at (' || created_text || ')'
    when first_line_no < line_no then 'duplicate server id (first on line ' || first_line_no || ')'
  end as err_reason,
  case
    when coalesce(line, '') = '' then null
    when n_fields <> 3 then line
    when not id_ok then id_text
    when not created_ok then created_text
    when not destroyed_ok then destroyed_text
    when destroyed_us < created_us then destroyed_text
    when first_line_no < line_no then id_text
  end as err_text
from numbered
