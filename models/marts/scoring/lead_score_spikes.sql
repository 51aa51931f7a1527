-- Leads whose score jumped in the last scoring run (or that just became top tier): call them now.
with

history as (

    select * from {{ ref('lead_score_history') }}

),

last_run as (

    select max(dbt_valid_from) as last_changed_at from history

),

current_versions as (

    select * from history
    where dbt_valid_to is null

),

previous_versions as (

    select * from history
    where dbt_valid_to is not null

)

select
    current_versions.lead_id,
    current_versions.crm_record_id,
    previous_versions.score as previous_score,
    current_versions.score,
    current_versions.score - previous_versions.score as score_change,
    previous_versions.tier as previous_tier,
    current_versions.tier,
    current_versions.top_reasons,
    cast(current_versions.dbt_valid_from as timestamp) as changed_at
from current_versions
inner join previous_versions
    on
        current_versions.lead_id = previous_versions.lead_id
        and current_versions.dbt_valid_from = previous_versions.dbt_valid_to
cross join last_run
where
    current_versions.dbt_valid_from = last_run.last_changed_at
    and current_versions.lead_status = 'open'
    and (
        current_versions.score - previous_versions.score >= {{ var('leadscore_spike_score_increase', 10) }}
        or (current_versions.tier_rank = 1 and coalesce(previous_versions.tier_rank, 0) <> 1)
    )
