{#- A string from config or data as a safe SQL literal: quotes doubled (and backslashes escaped
    where the dialect treats them as escapes). -#}
{% macro sql_literal(value) -%}
    {{ return(adapter.dispatch('sql_literal', 'lead_scoring')(value)) }}
{%- endmacro %}

{% macro default__sql_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro bigquery__sql_literal(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro spark__sql_literal(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro databricks__sql_literal(value) -%}
    {{ spark__sql_literal(value) }}
{%- endmacro %}

{#- A parenthesised list of safe literals, for `in (...)`. -#}
{% macro sql_literal_list(values) -%}
    ({% for value in values %}{{ lead_scoring.sql_literal(value) }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
