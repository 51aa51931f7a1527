-- Sales' feedback, counted: per month it was given and flag, how many flags and leads, how many of
-- those leads are open now and in the top tier, flags this project does not know, and flags that
-- failed a check (int_lead_feedback_validated) and so are not used for training.
{{ config(enabled=not is_lead_table_mode()) }}

with

feedback as (

    select * from {{ ref('int_lead_feedback_validated') }}

),

scores as (

    select
        lead_id,
        is_open,
        tier_rank
    from {{ ref('lead_scores') }}

)

select
    {{ dbt.date_trunc('month', 'feedback.flagged_at') }} as flagged_month,
    feedback.flag,
    feedback.is_known_flag,
    cast(count(*) as bigint) as flags,
    cast(count(distinct feedback.lead_id) as bigint) as leads,
    cast(count(distinct case when scores.is_open then feedback.lead_id end) as bigint) as open_leads,
    cast(count(distinct case when scores.tier_rank = 1 then feedback.lead_id end) as bigint) as top_tier_leads,
    cast(count(distinct case when scores.lead_id is null then feedback.lead_id end) as bigint) as unknown_leads,
    cast(sum(case when feedback.is_usable then 0 else 1 end) as bigint) as unusable_flags
from feedback
left join scores on feedback.lead_id = scores.lead_id
group by {{ dbt.date_trunc('month', 'feedback.flagged_at') }}, feedback.flag, feedback.is_known_flag
