-- Per table, column and check: failing rows, their share, and ok / warn / error against the thresholds seed.
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

leads as (

    select * from {{ ref('int_leads_validated') }}

),

activities as (

    select * from {{ ref('int_activities_validated') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

feedback as (

    select * from {{ ref('int_lead_feedback_validated') }}

),

checks as (

    {{ dq_scorecard_rows('accounts', 'accounts', [
        ('account_id', 'duplicate'),
        ('industry', 'missing'),
        ('industry', 'unknown_category'),
        ('country', 'missing'),
        ('country', 'unknown_category'),
        ('funding_stage', 'unknown_category'),
        ('employee_count', 'missing'),
        ('employee_count', 'out_of_range'),
        ('employee_count', 'not_finite'),
        ('annual_revenue', 'out_of_range'),
        ('annual_revenue', 'not_finite'),
    ]) }}
    union all
    {{ dq_scorecard_rows('leads', 'leads', [
        ('lead_id', 'duplicate'),
        ('lead_id', 'conflicting'),
        ('crm_record_id', 'missing'),
        ('crm_record_id', 'shared'),
        ('email', 'duplicate'),
        ('email', 'missing'),
        ('created_at', 'missing'),
        ('created_at', 'in_future'),
        ('created_at', 'implausible'),
        ('loaded_at', 'in_future'),
        ('account_id', 'orphan'),
        ('job_title', 'missing'),
        ('lead_source', 'missing'),
        ('lead_source', 'unknown_category'),
    ]) }}
    union all
    {{ dq_scorecard_rows('activities', 'activities', [
        ('activity_id', 'duplicate'),
        ('activity_type', 'missing'),
        ('activity_type', 'unknown_category'),
        ('occurred_at', 'missing'),
        ('occurred_at', 'before_lead_created'),
        ('occurred_at', 'in_future'),
        ('lead_id', 'missing'),
        ('lead_id', 'orphan'),
    ]) }}
    union all
    {{ dq_scorecard_rows('opportunities', 'opportunities', [
        ('opportunity_id', 'duplicate'),
        ('created_at', 'missing'),
        ('created_at', 'in_future'),
        ('amount', 'missing'),
        ('amount', 'out_of_range'),
        ('amount', 'not_finite'),
        ('stage', 'unknown_category'),
        ('lead_id', 'orphan'),
        ('lead_id', 'missing'),
    ]) }}
    union all
    {{ dq_scorecard_rows('feedback', 'feedback', [
        ('lead_id', 'missing'),
        ('lead_id', 'orphan'),
        ('flag', 'unknown_category'),
        ('flagged_at', 'missing'),
        ('flagged_at', 'in_future'),
        ('flagged_at', 'implausible'),
        ('flagged_at', 'before_lead_created'),
    ]) }}
    union all
    {{ dq_empty_table_rows([
        ('accounts', 'accounts'),
        ('leads', 'leads'),
        ('activities', 'activities'),
        ('opportunities', 'opportunities'),
    ]) }}

)

{{ dq_with_thresholds('checks') }}
