-- Raw lead rows reconciled stage by stage: how many reached staging, features, scores and the CRM
-- feed, and how many stopped at each step with which reason. The rows of each step sum to the raw
-- row count (tests/dbt/assert_every_raw_lead_is_accounted_for.sql).
with

raw_leads as (

    select count(*) as raw_rows
    from {{ crm_input('leads') }}

),

accounting as (

    select * from {{ ref('lead_accounting') }}

),

outcomes as (

    select
        outcome,
        coalesce(reason, '') as reason,
        count(*) as lead_rows
    from accounting
    group by outcome, coalesce(reason, '')

)

select
    outcomes.outcome,
    outcomes.reason,
    cast(outcomes.lead_rows as bigint) as lead_rows,
    cast(raw_leads.raw_rows as bigint) as raw_rows,
    cast(100.0 * outcomes.lead_rows / nullif(raw_leads.raw_rows, 0) as {{ type_double() }}) as share_pct
from outcomes
cross join raw_leads
