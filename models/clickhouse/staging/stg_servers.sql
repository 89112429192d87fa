-- materialized: view
-- placement: shards
-- servers.csv as loaded (every node holds all of it): the servers whose line
-- passed the checks (SPEC section 1). has_destroyed = 0 when destroyed_at was
-- empty (the server still exists); destroyed_us is then 0 and unused.
select server_id, created_us, destroyed_us, has_destroyed, line_no
from {{ data }}.servers
