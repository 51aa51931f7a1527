-- Every lead x feature of the champion's contributions, long: the value beside the contribution
-- in one of three typed columns. A view (a table would hold leads x features rows); it keeps the
-- feature list (read from the feature mart's column meta) out of lead_score_reasons, whose
-- wording the unit test checks.
{{ config(materialized='view') }}

with

contributions as (

    select * from {{ ref('int_lead_score_contributions') }}

),

unpivoted as (

    {%- for feature, kind in lead_feature_kinds().items() %}
    select
        contributions.lead_id,
        contributions.model_version,
        {{ sql_literal(feature) }} as feature_name,
        contributions.contribution__{{ feature }} as contribution,
        {% if kind == 'numeric' -%}
        cast(contributions.value__{{ feature }} as {{ type_double() }})
        {%- else -%}
        cast(null as {{ type_double() }})
        {%- endif %} as value_number,
        {% if kind == 'boolean' -%}
        contributions.value__{{ feature }}
        {%- else -%}
        cast(null as boolean)
        {%- endif %} as value_flag,
        {% if kind == 'categorical' -%}
        -- 'unknown' is how staging writes a category it could not read: a missing value
        nullif(cast(contributions.value__{{ feature }} as {{ dbt.type_string() }}), 'unknown')
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as value_text
    from contributions
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from unpivoted
