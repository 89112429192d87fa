-- materialized: view
-- placement: shards
-- This shard's events, as `fleetpulse load` put them there: every line of the
-- events file that passed the checks of SPEC section 1 (DuckDB's
-- stg_event_lines did them at load time), typed, with its line number, the
-- tie-break for equal timestamps. Bad and blank lines were set aside then:
-- bad ones in load_rejects, their counts in load_info.
-- Timestamps are Int64 epoch microseconds (no DateTime64: ClickHouse 18.16
-- has none, and its date parsing is never used).
select ts_us, device_id, user_id, server_id, connected, line_no
from {{ data }}.events_local
