-- materialized: table
-- placement: initiator
-- Task 1 bonus: distinct devices online in the 28 days ending each day, by the owner's 28-day fleet size (SPEC 5).
-- Output contract: SPEC section 6.
select
  date, fleet_1_2, fleet_3_9, fleet_10_99, fleet_100_999, fleet_1000_plus,
  fleet_1_2 + fleet_3_9 + fleet_10_99 + fleet_100_999 + fleet_1000_plus as total
from int_fleet_buckets
where series = 'rolling28'
order by day
