-- Engagement features per snapshot (only snapshots with at least one activity have a row).
with

activity_counts as (

    select * from {{ ref('int_lead_activity_counts_as_of') }}

),

engagement as (

    select
        lead_id,
        as_of_at,
        min(days_since_last) as days_since_last_engagement,
        max(days_since_first) as days_since_first_engagement,
        max(last_occurred_at) as last_engaged_at,
        sum(activity_count) as engagements_total,
        sum(count_7d) as engagements_7d,
        sum(count_30d) as engagements_30d,
        sum(count_prior_30d) as engagements_prior_30d,
        sum(count_90d) as engagements_90d,
        {{ exact_sum('decayed_count') }} as decayed_engagement_score,
        sum(case when count_90d > 0 then 1 else 0 end) as distinct_activity_types_90d,
        sum(case when activity_name = 'page_view_pricing' then count_30d else 0 end) as pricing_page_views_30d,
        sum(case when activity_name = 'page_view_comparison' then count_90d else 0 end) as comparison_page_views_90d,
        sum(case when activity_name = 'webinar_attended' then activity_count else 0 end) as webinars_attended,
        max(case when activity_name = 'demo_requested' then 1 else 0 end) = 1 as has_requested_demo,
        max(case when activity_name = 'trial_signup' then 1 else 0 end) = 1 as has_started_trial,
        sum(case when activity_name = 'email_open' then count_90d else 0 end) as email_opens_90d,
        sum(case when activity_name = 'email_click' then count_90d else 0 end) as email_clicks_90d
    from activity_counts
    group by lead_id, as_of_at

)

select
    *,
    -- log of (last 30 days + 1) / (the 30 days before + 1): 0 steady, > 0 speeding up.
    ln(cast(1 + engagements_30d as {{ type_double() }}) / (1 + engagements_prior_30d)) as engagement_velocity_30d,
    cast(email_clicks_90d as {{ type_double() }}) / nullif(email_opens_90d, 0) as email_click_rate_90d
from engagement
