{#- A column name from configuration or data as a safe quoted identifier. -#}
{% macro quote_identifier(name) -%}
    {{ return(adapter.dispatch('quote_identifier', 'lead_scoring')(name)) }}
{%- endmacro %}

{% macro default__quote_identifier(name) -%}
    "{{ name | string | replace('"', '""') }}"
{%- endmacro %}

{% macro bigquery__quote_identifier(name) -%}
    `{{ name | string | replace('\\', '\\\\') | replace('`', '\\`') }}`
{%- endmacro %}

{% macro spark__quote_identifier(name) -%}
    `{{ name | string | replace('`', '``') }}`
{%- endmacro %}

{% macro databricks__quote_identifier(name) -%}
    {{ lead_scoring.spark__quote_identifier(name) }}
{%- endmacro %}
