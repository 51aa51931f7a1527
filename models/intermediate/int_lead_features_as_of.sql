-- All features of every snapshot (history and current), typed for the marts' contracts.
{{ config(pre_hook="{{ spine_join_settings() }}", post_hook="{{ spine_join_reset() }}") }}

with

snapshots as (

    select * from {{ ref('int_lead_snapshots') }}

),

leads as (

    select * from {{ ref('int_leads_validated') }}
    where is_scorable

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}
    where is_latest_record

),

engagement as (

    select * from {{ ref('int_lead_engagement_as_of') }}

),

account_engagement as (

    select * from {{ ref('int_account_engagement_as_of') }}

),

attributes_then as (

    -- The attribute values of snapshots whose attributes the CRM changed later (from its history).
    select * from {{ ref('int_lead_attributes_as_of') }}

),

legacy_points as (

    select * from {{ ref('int_lead_legacy_points_as_of') }}

),

conversions as (

    select
        lead_id,
        converted_at
    from {{ ref('int_lead_conversions') }}

),

joined as (

    select
        snapshots.lead_id,
        snapshots.as_of_at,
        snapshots.snapshot_kind,
        snapshots.is_open,
        snapshots.lead_created_at,
        leads.crm_record_id,
        leads.account_id,
        coalesce(conversions.converted_at <= snapshots.as_of_at, false) as is_converted,

        -- engagement
        cast(engagement.days_since_last_engagement as {{ type_double() }}) as days_since_last_engagement,
        cast(coalesce(engagement.engagements_7d, 0) as integer) as engagements_7d,
        cast(coalesce(engagement.engagements_30d, 0) as integer) as engagements_30d,
        cast(coalesce(engagement.engagements_90d, 0) as integer) as engagements_90d,
        cast(coalesce(engagement.engagement_velocity_30d, 0) as {{ type_double() }}) as engagement_velocity_30d,
        cast(coalesce(engagement.decayed_engagement_score, 0) as {{ type_double() }}) as decayed_engagement_score,
        cast(coalesce(engagement.distinct_activity_types_90d, 0) as integer) as distinct_activity_types_90d,
        cast(coalesce(engagement.pricing_page_views_30d, 0) as integer) as pricing_page_views_30d,
        cast(coalesce(engagement.comparison_page_views_90d, 0) as integer) as comparison_page_views_90d,
        cast(coalesce(engagement.webinars_attended, 0) as integer) as webinars_attended,
        cast(engagement.email_click_rate_90d as {{ type_double() }}) as email_click_rate_90d,
        coalesce(engagement.has_requested_demo, false) as has_requested_demo,
        coalesce(engagement.has_started_trial, false) as has_started_trial,
        cast(snapshots.lead_age_days - engagement.days_since_first_engagement as {{ type_double() }})
            as days_to_first_engagement,
        cast(snapshots.lead_age_days as {{ type_double() }}) as lead_age_days,

        -- firmographics, as known at the as-of time
        cast({{ as_known_then('employee_count', 'employee_count', 'accounts') }} as bigint) as employee_count,
        cast({{ as_known_then('annual_revenue', 'annual_revenue_usd', 'accounts') }} as {{ type_double() }})
            as annual_revenue_usd,
        {{ as_known_then('industry', 'industry', 'accounts') }} as industry,
        {{ as_known_then('country', 'country_code', 'accounts') }} as country_code,
        {{ as_known_then('funding_stage', 'funding_stage', 'accounts') }} as funding_stage,
        accounts.uses_salesforce,
        accounts.uses_competitor,

        -- person, as known at the as-of time
        {{ as_known_then('job_title', 'seniority', 'leads') }} as seniority,
        {{ as_known_then('job_title', 'job_function', 'leads') }} as job_function,
        {{ as_known_then('lead_source', 'lead_source', 'leads') }} as lead_source,
        coalesce(leads.is_free_email_domain, false) as is_free_email_domain,

        -- buying committee
        cast(coalesce(account_engagement.buying_committee_size, 1) as integer) as buying_committee_size,
        cast(coalesce(account_engagement.account_engaged_leads_30d, 0) as integer) as account_engaged_leads_30d,

        -- interactions
        cast(
            case
                when {{ as_known_then('job_title', 'seniority', 'leads') }} in ('c_level', 'vp', 'director')
                    then coalesce(engagement.pricing_page_views_30d, 0)
                else 0
            end as integer
        ) as senior_pricing_page_views_30d,
        coalesce(
            {{ as_known_then('employee_count', 'employee_count', 'accounts') }} >= 1000 and engagement.has_requested_demo, false
        ) as is_enterprise_demo_request,

        -- the baseline, never a feature
        cast(coalesce(legacy_points.legacy_rule_score, 0) as integer) as legacy_rule_score
    from snapshots
    inner join leads on snapshots.lead_id = leads.lead_id
    left join accounts on leads.account_id = accounts.account_id
    left join engagement
        on
            snapshots.lead_id = engagement.lead_id
            and snapshots.as_of_at = engagement.as_of_at
    left join account_engagement
        on
            leads.account_id = account_engagement.account_id
            and snapshots.as_of_at = account_engagement.as_of_at
    left join attributes_then
        on
            snapshots.lead_id = attributes_then.lead_id
            and snapshots.as_of_at = attributes_then.as_of_at
    left join legacy_points
        on
            snapshots.lead_id = legacy_points.lead_id
            and snapshots.as_of_at = legacy_points.as_of_at
    left join conversions on snapshots.lead_id = conversions.lead_id

)

select * from joined
