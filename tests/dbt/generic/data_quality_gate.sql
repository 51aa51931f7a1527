{#- The data-quality gate on quality.data_quality_scorecard: one failing row per check at `level`,
    each with a `problem` sentence (table.column check: rows, share, threshold). When it runs, the
    sentences are also written to dbt's log, so a plain `dbt build` names the cause, not only
    "Got 1 result". -#}
{% test data_quality_gate(model, level) %}
    {%- set failing -%}
        select
            table_name,
            column_name,
            check_name,
            failing_rows,
            total_rows,
            failing_pct,
            case
                when check_name = 'empty'
                    then {{ dbt.concat(['table_name', "' is empty: the extract loaded no rows'"]) }}
                else {{ dbt.concat([
                    'table_name', "'.'", 'column_name', "' '", 'check_name', "': '",
                    dbt.cast('failing_rows', dbt.type_string()), "' of '", dbt.cast('total_rows', dbt.type_string()),
                    "' rows ('", dbt.cast('round(cast(failing_pct as ' ~ dbt.type_numeric() ~ '), 2)', dbt.type_string()),
                    "'%) above the " ~ level ~ " threshold of '",
                    dbt.cast('round(cast(' ~ level ~ '_above_pct as ' ~ dbt.type_numeric() ~ '), 2)', dbt.type_string()), "'%'"
                ]) }}
            end as problem
        from {{ model }}
        where status = {{ lead_scoring.sql_literal(level) }}
    {%- endset -%}
    {%- if execute and flags.WHICH in ['build', 'test'] and load_relation(model) is not none -%}
        {%- set found = run_query(failing ~ ' order by table_name, column_name, check_name') -%}
        {%- for row in found.rows -%}
            {%- set flagged = '' if row['check_name'] == 'empty' else ' (the rows stay in staging, flagged dq_' ~ row['column_name'] ~ '__' ~ row['check_name'] ~ ')' -%}
            {%- do log('leadscore data quality ' ~ level ~ ': ' ~ row['problem'] ~ flagged, info=true) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ failing }}
{% endtest %}
