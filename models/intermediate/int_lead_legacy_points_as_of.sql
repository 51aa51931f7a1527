-- The legacy rule-based points score at each snapshot, from the rules in the seed.
with

scoring_rules as (

    select * from {{ ref('legacy_scoring_rules') }}

),

snapshots as (

    select
        lead_id,
        as_of_at
    from {{ ref('int_lead_snapshots') }}

),

activity_counts as (

    select
        lead_id,
        as_of_at,
        activity_name,
        activity_count
    from {{ ref('int_lead_activity_counts_as_of') }}

),

leads as (

    select
        lead_id,
        account_id,
        seniority,
        is_free_email_domain
    from {{ ref('int_leads_validated') }}
    where is_scorable

),

accounts as (

    select
        account_id,
        industry,
        employee_count
    from {{ ref('stg_crm__accounts') }}
    where is_latest_record

),

attributes_then as (

    select * from {{ ref('int_lead_attributes_as_of') }}

),

profiles as (

    -- The person and account as known at each snapshot, as the features read them.
    select
        snapshots.lead_id,
        snapshots.as_of_at,
        {{ as_known_then('job_title', 'seniority', 'leads') }} as seniority,
        leads.is_free_email_domain,
        {{ as_known_then('industry', 'industry', 'accounts') }} as industry,
        {{ as_known_then('employee_count', 'employee_count', 'accounts') }} as employee_count
    from snapshots
    inner join leads on snapshots.lead_id = leads.lead_id
    left join accounts on leads.account_id = accounts.account_id
    left join attributes_then
        on
            snapshots.lead_id = attributes_then.lead_id
            and snapshots.as_of_at = attributes_then.as_of_at

),

activity_points as (

    select
        activity_counts.lead_id,
        activity_counts.as_of_at,
        least(scoring_rules.points * activity_counts.activity_count, scoring_rules.max_points) as points
    from activity_counts
    inner join scoring_rules
        on
            scoring_rules.rule_kind = 'activity'
            and activity_counts.activity_name = scoring_rules.match_value

),

profile_points as (

    select
        profiles.lead_id,
        profiles.as_of_at,
        scoring_rules.points
    from profiles
    inner join scoring_rules
        on
            (scoring_rules.rule_kind = 'employee_count_at_least' and profiles.employee_count >= scoring_rules.min_value)
            or (scoring_rules.rule_kind = 'seniority' and profiles.seniority = scoring_rules.match_value)
            or (scoring_rules.rule_kind = 'industry' and profiles.industry = scoring_rules.match_value)
            or (scoring_rules.rule_kind = 'free_email_domain' and profiles.is_free_email_domain)

),

all_points as (

    select * from activity_points
    union all
    select * from profile_points

)

select
    lead_id,
    as_of_at,
    sum(points) as legacy_rule_score
from all_points
group by lead_id, as_of_at
