-- The payload log as validity ranges (the columns a dbt snapshot has): a version is current until
-- the lead's next one.
with

changes as (

    select * from {{ ref('lead_score_changes') }}

)

select
    changes.*,
    changes.changed_at as dbt_valid_from,
    lead(changes.changed_at) over (partition by changes.lead_id order by changes.changed_at) as dbt_valid_to
from changes
