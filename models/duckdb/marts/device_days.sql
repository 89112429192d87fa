-- materialized: view
-- The owner of each online device-day, for the forecast and insights steps.
select device_id, user_id, date '1970-01-01' + cast(day as integer) as day
from int_device_days
