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
{#- A value as a text literal, or a typed NULL for none (a registry without a challenger). -#}
{% macro sql_literal_or_null(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ lead_scoring.sql_literal(value) }}
    {%- endif -%}
{%- endmacro %}

{% macro sql_literal_list(values) -%}
    ({% for value in values %}{{ lead_scoring.sql_literal(value) }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
