-- materialized: view
-- One row per (device, day) the device was online, with its owner and the
-- rule that emitted the owning interval: int_device_day_ranges, expanded.
select device_id, user_id, rule, unnest(range(from_day, to_day + 1)) as day
from int_device_day_ranges
