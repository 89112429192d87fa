-- materialized: view
-- placement: initiator
-- file types: day DATE
-- The owner of each online device-day, for the forecast and insights steps:
-- every shard's rows, in no particular order (as the embedded engine). Ids are as wide as
-- the embedded engine makes them (int_type: UInt32 when every id and line
-- number fits, else UInt64). day is the day number (days since 1970-01-01,
-- any year): ClickHouse's Date covers only 1970..2149 (and ClickHouse 18
-- prints 1970-01-01 as 0000-00-00), so the engine writes it as a DATE itself
-- (the `file types` line above).
select
  cast(device_id as {{ int_type }}) as device_id,
  cast(user_id as {{ int_type }}) as user_id,
  day
from {{ all_int_device_days }}
