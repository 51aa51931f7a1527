{#- The configured scoring time as a timestamp expression, or none when it comes from the data. -#}
{% macro configured_timestamp(var_name) -%}
    {%- set value = var(var_name, none) -%}
    {%- if value is none or value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return('cast(' ~ lead_scoring.sql_literal(value) ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}

{#- Load times after this are in the future: the build's clock (var leadscore_clock_now, default the
    warehouse's now) plus var leadscore_clock_future_tolerance_hours. An expression, never stored in a
    relation, so two builds of the same data give the same tables whatever the wall clock says. -#}
{% macro future_after_at() -%}
    {{ dbt.dateadd(
        'hour',
        var('leadscore_clock_future_tolerance_hours') | int,
        configured_timestamp('leadscore_clock_now') or 'cast(' ~ dbt.current_timestamp() ~ ' as timestamp)'
    ) }}
{%- endmacro %}
