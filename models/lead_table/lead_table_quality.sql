-- Data-quality scorecard of the lead table: missing values per feature, key and label problems.
with

leads as (

    select * from {{ ref('stg_lead_table__leads') }}

),

checks as (

    {%- set checks = [('lead_id', 'missing'), ('lead_id', 'duplicate'), ('label', 'missing'), ('label', 'unknown_category')] %}
    {%- set features = lead_table_config().get('features', {}) %}
    {%- for name in lead_feature_columns() %}
    {%- do checks.append((name, 'missing')) %}
    {%- if features[name]['kind'] == 'numeric' and not features[name].get('date_part') %}
    {%- do checks.append((name, 'not_finite')) %}
    {%- do checks.append((name, 'out_of_range')) %}
    {%- endif %}
    {%- endfor %}
    {{ dq_scorecard_rows('leads', 'lead_table', checks) }}

)

{{ dq_with_thresholds('checks') }}
