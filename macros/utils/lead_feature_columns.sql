{#- The model features, in order: the columns both feature marts carry and the models read.
    Each is documented (with its kind) in models/marts/features/_features__models.yml. -#}
{% macro lead_feature_columns() -%}
    {%- if lead_scoring.is_lead_table_mode() -%}
        {{ return(lead_scoring.lead_table_config().get('features', {}).keys() | list) }}
    {%- endif -%}
    {{ return([
        'days_since_last_engagement',
        'engagements_7d',
        'engagements_30d',
        'engagements_90d',
        'engagement_velocity_30d',
        'decayed_engagement_score',
        'distinct_activity_types_90d',
        'pricing_page_views_30d',
        'comparison_page_views_90d',
        'webinars_attended',
        'email_click_rate_90d',
        'has_requested_demo',
        'has_started_trial',
        'days_to_first_engagement',
        'lead_age_days',
        'employee_count',
        'annual_revenue_usd',
        'industry',
        'country_code',
        'funding_stage',
        'uses_salesforce',
        'uses_competitor',
        'seniority',
        'job_function',
        'lead_source',
        'is_free_email_domain',
        'buying_committee_size',
        'account_engaged_leads_30d',
        'senior_pricing_page_views_30d',
        'is_enterprise_demo_request',
    ]) }}
{%- endmacro %}
