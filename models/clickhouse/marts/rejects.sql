-- materialized: table
-- placement: initiator
-- Every rejected line of both inputs, verbatim, with its line number, the
-- first failing field, the reason and the offending value: rejects.csv.
-- `fleetpulse load` found them with the embedded engine's staging models and
-- kept them (load_rejects, in the order of its rejects model: servers.csv
-- first, then by line); file is the path given to load.
select file, line_number, field, reason, value, line
from {{ data }}.load_rejects
order by ord
