{#- A scorecard from a relation of (table_name, column_name, check_name, failing_rows, total_rows):
    the failing share and ok / warn / error against seeds/data_quality_thresholds.csv (a row with
    table and column '*' is the default for its check). -#}
{% macro dq_with_thresholds(checks) -%}
    select
        {{ checks }}.table_name,
        {{ checks }}.column_name,
        {{ checks }}.check_name,
        cast({{ checks }}.failing_rows as bigint) as failing_rows,
        cast({{ checks }}.total_rows as bigint) as total_rows,
        cast(100.0 * {{ checks }}.failing_rows / nullif({{ checks }}.total_rows, 0) as {{ lead_scoring.type_double() }}) as failing_pct,
        cast(coalesce(specific.warn_above_pct, fallback.warn_above_pct) as {{ lead_scoring.type_double() }}) as warn_above_pct,
        cast(coalesce(specific.error_above_pct, fallback.error_above_pct) as {{ lead_scoring.type_double() }}) as error_above_pct,
        case
            when 100.0 * {{ checks }}.failing_rows / nullif({{ checks }}.total_rows, 0)
                > coalesce(specific.error_above_pct, fallback.error_above_pct) then 'error'
            when 100.0 * {{ checks }}.failing_rows / nullif({{ checks }}.total_rows, 0)
                > coalesce(specific.warn_above_pct, fallback.warn_above_pct) then 'warn'
            else 'ok'
        end as status
    from {{ checks }}
    left join {{ ref('data_quality_thresholds') }} as specific
        on
            {{ checks }}.table_name = specific.table_name
            and {{ checks }}.column_name = specific.column_name
            and {{ checks }}.check_name = specific.check_name
    left join {{ ref('data_quality_thresholds') }} as fallback
        on
            fallback.table_name = '*'
            and fallback.column_name = '*'
            and {{ checks }}.check_name = fallback.check_name
{%- endmacro %}
