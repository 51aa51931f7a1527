{#- Literal rows (lists from the generated macros) as a SELECT with typed columns. columns:
    [(name, type)] with type 'text', 'double', 'integer' or 'timestamp'. No rows: an empty SELECT
    of the same shape. -#}
{% macro rows_as_select(rows, columns) -%}
    {%- set text = dbt.type_string() -%}
    {%- for row in (rows if rows | length > 0 else [none]) %}
    select
        {%- for name, type in columns %}
        {%- set value = row[loop.index0] if row is not none else none %}
        {% if type == 'double' -%}
        {{ lead_scoring.double_literal(value) }}
        {%- elif value is none -%}
        cast(null as {{ text if type == 'text' else ('integer' if type == 'integer' else 'timestamp') }})
        {%- elif type == 'integer' -%}
        cast({{ value | int }} as integer)
        {%- elif type == 'timestamp' -%}
        cast({{ lead_scoring.sql_literal(value) }} as timestamp)
        {%- else -%}
        {{ lead_scoring.sql_literal(value) }}
        {%- endif %} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    {%- if row is none %}
    where 1 = 0
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
