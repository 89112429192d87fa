-- materialized: table
-- placement: shards
-- Each device's events in (timestamp, line) order, paired with the previous
-- and the next event (SPEC section 2 is a pairwise computation), on the shard
-- that holds the device. The same rows and rules as the DuckDB model:
--   online events (each opens an interval; rule = the rule that closes it,
--     0 = the end case), with open_rule 5/6 (after an offline event),
--     0 (the device's first event) or -1 (after an online event: rule 1/2);
--   offline events after an offline event (rule 7/8) or first (rule 9 =
--     leading offline), with open_rule -1.
-- Offline events after an online event are represented by the interval they
-- close (next_ts_us, next_server_id). Bad and blank lines never reach
-- ClickHouse (load_info counts them), so there are no rule -1/-2 rows here.
--
-- No window functions (ClickHouse 18.16 has none): a device's events are
-- gathered into one sorted array, and the previous / next event are the same
-- array shifted by one (arrayPopFront + arrayPushBack), never an index into
-- the array from inside a lambda (quadratic for a device with many events).
-- has_next = 0 on a device's last event; next_* are then 0 and unused.
-- as_of_end_us: events at or after it are left out (the largest Int64 when
-- there is no --as-of).
select
  device_id, user_id, server_id, ts_us, seq,
  toInt8(multiIf(
    connected = 1, multiIf(
      seq = n, 0,
      next_connected = 1 and next_server_id = server_id, 1,
      next_connected = 1, 2,
      next_server_id = server_id, 3,
      4),
    seq = 1, 9,
    prev_server_id = server_id, 7,
    8)) as rule,
  toInt8(multiIf(
    connected = 0 or prev_connected = 1, -1,
    seq = 1, 0,
    prev_server_id = server_id, 5,
    6)) as open_rule,
  toUInt8(seq < n) as has_next, next_ts_us, next_server_id
from (
  select
    device_id,
    -- (ts, line) first: the tuple order is the SPEC's event order.
    arraySort(groupArray((ts_us, line_no, user_id, server_id, connected))) as events_a,
    length(events_a) as n,
    arrayMap(e -> e.1, events_a) as ts_a,
    arrayMap(e -> e.3, events_a) as user_a,
    arrayMap(e -> e.4, events_a) as server_a,
    arrayMap(e -> e.5, events_a) as connected_a,
    arrayPushBack(arrayPopFront(ts_a), toInt64(0)) as next_ts_a,
    arrayPushBack(arrayPopFront(server_a), toUInt64(0)) as next_server_a,
    arrayPushBack(arrayPopFront(connected_a), toUInt8(0)) as next_connected_a,
    arrayPushFront(arrayPopBack(server_a), toUInt64(0)) as prev_server_a,
    arrayPushFront(arrayPopBack(connected_a), toUInt8(0)) as prev_connected_a,
    arrayEnumerate(events_a) as seq_a
  from stg_events
  where ts_us < toInt64({{ as_of_end_us }})
  group by device_id
)
array join
  ts_a as ts_us, user_a as user_id, server_a as server_id, connected_a as connected, seq_a as seq,
  next_ts_a as next_ts_us, next_server_a as next_server_id, next_connected_a as next_connected,
  prev_server_a as prev_server_id, prev_connected_a as prev_connected
-- Offline events after an online event are dropped: the interval they close stands for them.
where connected = 1 or prev_connected = 0
