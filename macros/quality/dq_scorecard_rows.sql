{#- One scorecard row per (table, column, check): how many rows the flag column
    dq_<column>__<check> marks. checks: list of (column_name, check_name). -#}
{% macro dq_scorecard_rows(relation, table_name, checks) -%}
    {%- for column_name, check_name in checks %}
    select
        {{ lead_scoring.sql_literal(table_name) }} as table_name,
        {{ lead_scoring.sql_literal(column_name) }} as column_name,
        {{ lead_scoring.sql_literal(check_name) }} as check_name,
        coalesce(sum(case when dq_{{ column_name }}__{{ check_name }} then 1 else 0 end), 0) as failing_rows,
        count(*) as total_rows
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- One scorecard row per table saying whether it is empty: an empty extract is an error that names
    the table, not a cascade of NULL counts. -#}
{% macro dq_empty_table_rows(tables) -%}
    {%- for relation, table_name in tables %}
    select
        {{ lead_scoring.sql_literal(table_name) }} as table_name,
        '*' as column_name,
        'empty' as check_name,
        case when count(*) = 0 then 1 else 0 end as failing_rows,
        1 as total_rows
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
