-- Every activity with its cross-table checks, attributed to the person's canonical lead.
with

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

leads as (

    select
        lead_id,
        canonical_lead_id,
        created_at
    from {{ ref('int_leads_validated') }}
    where is_latest_record

),

clock as (

    select scoring_at from {{ ref('int_scoring_clock') }}

),

validated as (

    select
        activities.activity_id,
        activities.lead_id as recorded_lead_id,
        leads.canonical_lead_id as lead_id,
        activities.activity_type,
        activities.activity_type_raw,
        activities.activity_name,
        activities.url_path,
        activities.occurred_at,
        activities.is_marketing_engagement,
        activities.dq_activity_id__duplicate,
        activities.dq_activity_type__missing,
        activities.dq_activity_type__unknown_category,
        activities.dq_occurred_at__missing,
        activities.lead_id is null as dq_lead_id__missing,
        activities.lead_id is not null and leads.lead_id is null as dq_lead_id__orphan,
        coalesce(activities.occurred_at < leads.created_at, false) as dq_occurred_at__before_lead_created,
        coalesce(activities.occurred_at > clock.scoring_at, false) as dq_occurred_at__in_future
    from activities
    left join leads on activities.lead_id = leads.lead_id
    cross join clock

)

select
    *,
    not(
        dq_activity_id__duplicate
        or dq_activity_type__missing
        or dq_activity_type__unknown_category
        or dq_occurred_at__missing
        or dq_lead_id__missing
        or dq_lead_id__orphan
        or dq_occurred_at__before_lead_created
        or dq_occurred_at__in_future
    ) as is_usable
from validated
