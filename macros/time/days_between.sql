{#- Fractional days from start to end (positive when end is later). -#}
{% macro days_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('days_between', 'lead_scoring')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__days_between(start_at, end_at) -%}
    (cast({{ dbt.datediff(start_at, end_at, 'second') }} as {{ lead_scoring.type_double() }}) / 86400.0)
{%- endmacro %}

{% macro duckdb__days_between(start_at, end_at) -%}
    (cast(epoch({{ end_at }}) - epoch({{ start_at }}) as {{ lead_scoring.type_double() }}) / 86400.0)
{%- endmacro %}

{% macro postgres__days_between(start_at, end_at) -%}
    (cast(extract(epoch from ({{ end_at }} - {{ start_at }})) as {{ lead_scoring.type_double() }}) / 86400.0)
{%- endmacro %}
