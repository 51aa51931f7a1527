-- The top positive and negative factors of every lead's score, in words, from the champion's exact
-- contributions to the log-odds.
{%- set reasons_per_direction = var('leadscore_reasons_per_direction', 3) %}

with

contributions as (

    select * from {{ ref('int_lead_score_contributions') }}

),

texts as (

    select * from {{ ref('feature_reason_texts') }}

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
        cast(contributions.value__{{ feature }} as {{ dbt.type_string() }})
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as value_text
    from contributions
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

ranked as (

    select
        *,
        case when contribution >= 0 then 'positive' else 'negative' end as direction,
        -- without a template (your own columns): "Lead source: google"
        upper(substr(replace(feature_name, '_', ' '), 1, 1)) || substr(replace(feature_name, '_', ' '), 2) || ': {value}'
            as feature_label,
        row_number() over (
            partition by lead_id, case when contribution >= 0 then 1 else 0 end
            order by abs(contribution) desc, feature_name
        ) as reason_rank
    from unpivoted
    where contribution <> 0

),

worded as (

    select
        ranked.lead_id,
        ranked.model_version,
        ranked.direction,
        cast(ranked.reason_rank as integer) as reason_rank,
        ranked.feature_name,
        ranked.contribution,
        coalesce(
            cast(ranked.value_number as {{ dbt.type_string() }}),
            cast(ranked.value_flag as {{ dbt.type_string() }}),
            ranked.value_text
        ) as feature_value,
        case
            when ranked.value_number is null and ranked.value_flag is null and ranked.value_text is null
                then coalesce(texts.template_when_missing, replace(ranked.feature_label, '{value}', 'unknown'))
            when ranked.value_flag is not null and not ranked.value_flag
                then coalesce(texts.template_when_false, replace(ranked.feature_label, '{value}', 'no'))
            when ranked.value_flag is not null
                then coalesce(texts.reason_template, replace(ranked.feature_label, '{value}', 'yes'))
            else replace(
                coalesce(texts.reason_template, ranked.feature_label),
                '{value}',
                {{ reason_value_text(
                    "coalesce(texts.value_format, case when ranked.value_text is not null then 'text' else 'decimal' end)",
                    'ranked.value_number',
                    'ranked.value_text'
                ) }}
            )
        end as reason_text
    from ranked
    left join texts on ranked.feature_name = texts.feature_name
    where ranked.reason_rank <= {{ reasons_per_direction }}

)

select * from worded
