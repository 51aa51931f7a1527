{{ config(enabled=var('leadscore_input_mode', 'crm') in ['crm', 'salesforce', 'hubspot']) }}
-- Leakage guard: recount each snapshot's 90-day engagement straight from timestamps (not from the
-- model's day arithmetic) and require equality, and require the last activity to be strictly
-- before the as-of time. Returns the snapshots that disagree.
with

snapshots as (

    select
        lead_id,
        as_of_at,
        engagements_90d,
        days_since_last_engagement
    from {{ ref('lead_training_set') }}
    union all
    select
        lead_id,
        as_of_at,
        engagements_90d,
        days_since_last_engagement
    from {{ ref('lead_features') }}

),

activities as (

    select
        lead_id,
        occurred_at
    from {{ ref('int_activities_validated') }}
    where is_usable and is_marketing_engagement

),

recounted as (

    select
        snapshots.lead_id,
        snapshots.as_of_at,
        count(activities.occurred_at) as activities_90d
    from snapshots
    left join activities
        on
            snapshots.lead_id = activities.lead_id
            and snapshots.as_of_at > activities.occurred_at
            and activities.occurred_at > {{ dbt.dateadd('day', -90, 'snapshots.as_of_at') }}
    group by snapshots.lead_id, snapshots.as_of_at

)

select
    snapshots.lead_id,
    snapshots.as_of_at,
    snapshots.engagements_90d,
    recounted.activities_90d,
    snapshots.days_since_last_engagement
from snapshots
inner join recounted
    on
        snapshots.lead_id = recounted.lead_id
        and snapshots.as_of_at = recounted.as_of_at
where
    snapshots.engagements_90d <> recounted.activities_90d
    or snapshots.days_since_last_engagement <= 0
