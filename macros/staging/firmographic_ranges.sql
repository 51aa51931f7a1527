{#- The plausible ranges of firmographic numbers, shared by staging (current values) and
    int_lead_attributes_as_of (values from the CRM's history), so both clean alike. -#}

{#- A number as bigint, through a range check first, so a NaN or 1e308 cannot crash the cast. -#}
{% macro bounded_bigint(number) -%}
    case when cast({{ number }} as {{ lead_scoring.type_double() }}) between -1e15 and 1e15 then cast({{ number }} as bigint) end
{%- endmacro %}

{% macro plausible_employee_count(count) -%}
    case when {{ count }} between 1 and 2500000 then {{ count }} end
{%- endmacro %}

{#- NaN fails the upper bound (it sorts above every number), so it never reaches a feature. -#}
{% macro plausible_annual_revenue(revenue) -%}
    case when {{ revenue }} > 0 and {{ revenue }} < {{ var('leadscore_max_annual_revenue_usd') }} then {{ revenue }} end
{%- endmacro %}
