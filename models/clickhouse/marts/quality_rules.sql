-- materialized: table
-- placement: initiator
-- quality.json's per-rule counters: how often each repair rule (SPEC 2) fired
-- and how many device-days it contributed: the device-days whose owning
-- interval (the latest-starting one that day, SPEC 4) it emitted. Each
-- device-day has one owner, so these add up to all device-days. One pass over each
-- table of every shard (the counts are summed across shards), then one row
-- per counter, in the embedded engine's order.
select c.1 as counter, c.2 as meaning, c.3 as firings, c.4 as device_days
from (
  select arrayJoin([
    ('rule_1', 'online X -> online X', tupleElement(f, 1), tupleElement(d, 1)),
    ('rule_2', 'online X -> online Y', tupleElement(f, 2), tupleElement(d, 2)),
    ('rule_3', 'online X -> offline X', tupleElement(f, 3), tupleElement(d, 3)),
    ('rule_4', 'online X -> offline Y', tupleElement(f, 4), tupleElement(d, 4)),
    ('rule_5', 'offline X -> online X', tupleElement(f, 5), toUInt64(0)),
    ('rule_6', 'offline X -> online Y', tupleElement(f, 6), toUInt64(0)),
    ('rule_7', 'offline X -> offline X', tupleElement(f, 7), toUInt64(0)),
    ('rule_8', 'offline X -> offline Y', tupleElement(f, 8), toUInt64(0)),
    ('end', 'online at the end of the device''s events', tupleElement(f, 9), tupleElement(d, 5)),
    ('leading_offline', 'first event of a device is offline', tupleElement(f, 10), toUInt64(0)),
    ('first_online', 'first event of a device is online', tupleElement(f, 11), toUInt64(0))
  ]) as c
  from (
    select
      (
        select (
          countIf(rule = 1), countIf(rule = 2), countIf(rule = 3), countIf(rule = 4),
          countIf(open_rule = 5), countIf(open_rule = 6), countIf(rule = 7), countIf(rule = 8),
          countIf(rule = 0), countIf(rule = 9), countIf(open_rule = 0)
        )
        from {{ all_int_transitions }}
      ) as f,
      (
        select (
          countIf(rule = 1), countIf(rule = 2), countIf(rule = 3), countIf(rule = 4), countIf(rule = 0)
        )
        from {{ all_int_device_days }}
      ) as d
  )
)
