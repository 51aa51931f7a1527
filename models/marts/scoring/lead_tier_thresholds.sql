-- One row per tier: the probability at which pursuing a lead at that tier's cost pays off.
{%- set configured_value = var('leadscore_value_per_conversion_usd') %}
{%- if is_lead_table_mode() and configured_value is none %}
    {{ exceptions.raise_compiler_error("lead_table input has no deal amounts: set economics.value_per_conversion_usd in leadscore.yml") }}
{%- endif %}

with

{% if configured_value is none -%}
conversions as (

    select * from {{ ref('int_lead_conversions') }}

),

{% endif -%}
observed_value as (

    {% if configured_value is none -%}
    select
        {{ exact_avg("case when first_opportunity_stage = 'won' then first_opportunity_amount_usd end") }}
        * sum(case when first_opportunity_stage = 'won' then 1 else 0 end)
        / nullif(sum(case when first_opportunity_stage in ('won', 'lost') then 1 else 0 end), 0)
            as value_per_conversion_usd
    from conversions
    {%- else -%}
    select cast({{ configured_value | float }} as {{ type_double() }}) as value_per_conversion_usd
    {%- endif %}

),

economics as (

    select cast(value_per_conversion_usd as {{ type_double() }}) as value_per_conversion_usd
    from observed_value

),

tiers as (

    {%- for tier in var('leadscore_lead_tiers') %}
    select
        {{ loop.index }} as tier_rank,
        {{ sql_literal(tier['tier']) }} as tier,
        cast({{ tier['cost_usd'] }} as {{ type_double() }}) as cost_usd,
        {{ sql_literal(tier['action']) }} as recommended_action,
        cast({{ tier['sla_hours'] if tier['sla_hours'] is not none else 'null' }} as integer) as sla_hours
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select
    tiers.tier_rank,
    tiers.tier,
    tiers.cost_usd,
    economics.value_per_conversion_usd,
    tiers.cost_usd / economics.value_per_conversion_usd as min_probability,
    tiers.recommended_action,
    tiers.sla_hours
from tiers
cross join economics
