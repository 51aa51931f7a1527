with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

leads as (

    select
        lead_id,
        canonical_lead_id
    from {{ ref('int_leads_validated') }}
    where is_latest_record

),

clock as (

    select scoring_at from {{ ref('int_scoring_clock') }}

),

validated as (

    select
        opportunities.*,
        opportunities.lead_id as recorded_lead_id,
        leads.canonical_lead_id,
        opportunities.lead_id is not null and leads.lead_id is null as dq_lead_id__orphan,
        -- No lead at all: a deal or opportunity no person is associated with labels no one.
        opportunities.lead_id is null as dq_lead_id__missing,
        coalesce(opportunities.created_at > clock.scoring_at, false) as dq_created_at__in_future
    from opportunities
    left join leads on opportunities.lead_id = leads.lead_id
    cross join clock

)

select
    *,
    is_latest_record
    and not dq_created_at__missing
    and not dq_lead_id__orphan
    and not dq_lead_id__missing
    and not dq_created_at__in_future as is_usable
from validated
