-- materialized: table
-- quality.json's per-rule counters: how often each repair rule (SPEC 2) fired
-- and how many device-days it contributed: the device-days whose owning
-- interval (the latest-starting one that day, SPEC 4) it emitted. Each
-- device-day has one owner, so these add up to all device-days.
with firings as (
  select
    sum(rule_1) as r1, sum(rule_2) as r2, sum(rule_3) as r3, sum(rule_4) as r4,
    sum(rule_5) as r5, sum(rule_6) as r6, sum(rule_7) as r7, sum(rule_8) as r8,
    sum(end_case) as r_end, sum(leading_offline) as r_leading, sum(first_online) as r_first
  from int_server_events
),
days as (
  select
    sum(to_day - from_day + 1) filter (where rule = 1) as d1,
    sum(to_day - from_day + 1) filter (where rule = 2) as d2,
    sum(to_day - from_day + 1) filter (where rule = 3) as d3,
    sum(to_day - from_day + 1) filter (where rule = 4) as d4,
    sum(to_day - from_day + 1) filter (where rule = 0) as d_end
  from int_device_day_ranges
)
select * from (values
  ('rule_1', 'online X -> online X', (select r1 from firings), (select d1 from days)),
  ('rule_2', 'online X -> online Y', (select r2 from firings), (select d2 from days)),
  ('rule_3', 'online X -> offline X', (select r3 from firings), (select d3 from days)),
  ('rule_4', 'online X -> offline Y', (select r4 from firings), (select d4 from days)),
  ('rule_5', 'offline X -> online X', (select r5 from firings), 0),
  ('rule_6', 'offline X -> online Y', (select r6 from firings), 0),
  ('rule_7', 'offline X -> offline X', (select r7 from firings), 0),
  ('rule_8', 'offline X -> offline Y', (select r8 from firings), 0),
  ('end', 'online at the end of the device''s events', (select r_end from firings), (select d_end from days)),
  ('leading_offline', 'first event of a device is offline', (select r_leading from firings), 0),
  ('first_online', 'first event of a device is online', (select r_first from firings), 0)
) as t(counter, meaning, firings, device_days)
