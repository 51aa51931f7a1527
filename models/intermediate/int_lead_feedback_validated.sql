-- Every feedback record from sales with its checks, like any other source: a flag set in the
-- future (beyond the build's clock and its tolerance), before the lead existed or before any
-- plausible date, without a time, on a lead this CRM does not have, or with a flag this project
-- does not know is counted in the data-quality scorecard and kept visible here; only usable flags
-- (is_usable) reach the training mart.
with

feedback as (

    select * from {{ ref('stg_crm__lead_feedback') }}

),

leads as (

    select
        lead_id,
        min(created_at) as created_at
    from {{ ref('stg_crm__leads') }}
    group by lead_id

),

clock as (

    select plausible_created_from from {{ ref('int_scoring_clock') }}

),

validated as (

    select
        feedback.lead_id,
        feedback.flag,
        feedback.feedback_comment,
        feedback.flagged_at,
        feedback.is_known_flag,
        feedback.lead_id is null as dq_lead_id__missing,
        feedback.lead_id is not null and leads.lead_id is null as dq_lead_id__orphan,
        not feedback.is_known_flag as dq_flag__unknown_category,
        feedback.flagged_at is null as dq_flagged_at__missing,
        coalesce(feedback.flagged_at > {{ future_after_at() }}, false) as dq_flagged_at__in_future,
        coalesce(feedback.flagged_at < clock.plausible_created_from, false) as dq_flagged_at__implausible,
        coalesce(
            feedback.flagged_at >= clock.plausible_created_from and feedback.flagged_at < leads.created_at,
            false
        ) as dq_flagged_at__before_lead_created
    from feedback
    left join leads on feedback.lead_id = leads.lead_id
    cross join clock

)

select
    *,
    coalesce(
        not dq_lead_id__missing
        and not dq_lead_id__orphan
        and not dq_flag__unknown_category
        and not dq_flagged_at__missing
        and not dq_flagged_at__in_future
        and not dq_flagged_at__implausible
        and not dq_flagged_at__before_lead_created,
        false
    ) as is_usable
from validated
