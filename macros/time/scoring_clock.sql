{#- The configured scoring time as a timestamp expression, or none when it comes from the data. -#}
{% macro configured_timestamp(var_name) -%}
    {%- set value = var(var_name, none) -%}
    {%- if value is none or value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return('cast(' ~ lead_scoring.sql_literal(value) ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}
