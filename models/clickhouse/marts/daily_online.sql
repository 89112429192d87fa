-- materialized: table
-- placement: initiator
-- Task 1: distinct online devices per day by the owner's fleet size (SPEC 4).
-- Output contract: SPEC section 6.
select
  date, fleet_1_2, fleet_3_9, fleet_10_99, fleet_100_999, fleet_1000_plus,
  fleet_1_2 + fleet_3_9 + fleet_10_99 + fleet_100_999 + fleet_1000_plus as total
from int_fleet_buckets
where series = 'daily'
order by day
