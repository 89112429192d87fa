-- materialized: table
-- The parsed events, one row per line in file order (blank and bad lines
-- included, flagged): with preserve_insertion_order, a table's rowid is the
-- line's position, so the line number is rowid + 1 + header_lines. Only
-- typed columns are stored: the text stays in the file for the rejects path.
select ts_us, device_id, user_id, server_id, connected, ok, blank
from stg_event_lines
