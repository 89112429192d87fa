-- materialized: table
-- One row per (device, day) the device was online (SPEC section 3), owned by
-- the user of the latest-starting interval touching that day (section 4);
-- rule_mask has bit r set when an interval closed by rule r (0 = end case)
-- touches the day.
select
  device_id, day,
  arg_max(user_id, seq) as user_id,
  bit_or(cast(1 as integer) << rule) as rule_mask
from (
  select device_id, user_id, seq, rule, first_day as day
  from int_intervals
  where first_day = last_day
  union all
  select device_id, user_id, seq, rule, unnest(range(first_day, last_day + 1)) as day
  from int_intervals
  where last_day > first_day
)
group by device_id, day
