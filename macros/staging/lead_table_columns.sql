{#- Typed feature columns of the lead table, from leadscore.yml's description (var leadscore_lead_table). -#}
{% macro lead_table_value(source_column, missing_values) -%}
    case
        when trim(cast({{ lead_scoring.quote_identifier(source_column) }} as {{ dbt.type_string() }})) in {{ lead_scoring.sql_literal_list(missing_values) }} then null
        else trim(cast({{ lead_scoring.quote_identifier(source_column) }} as {{ dbt.type_string() }}))
    end
{%- endmacro %}

{#- The time a lead-table row is scored as of: its created_at when configured and known, else the
    scoring clock (var leadscore_scoring_at, else the time of the build): never a made-up 1970. -#}
{% macro lead_table_clock() -%}
    {{ lead_scoring.configured_timestamp('leadscore_scoring_at') or 'cast(' ~ dbt.current_timestamp() ~ ' as timestamp)' }}
{%- endmacro %}

{% macro lead_table_as_of(config, missing_values) -%}
    {%- if config.get('created_at') -%}
        coalesce(
            cast({{ lead_scoring.lead_table_value(config.get('created_at'), missing_values) }} as timestamp),
            {{ lead_scoring.lead_table_clock() }}
        )
    {%- else -%}
        {{ lead_scoring.lead_table_clock() }}
    {%- endif -%}
{%- endmacro %}

{#- order_by as a number: the value itself, or a date / timestamp as seconds since 1970-01-01. -#}
{% macro lead_table_ordering(source_column, missing_values) -%}
    {%- set value = lead_scoring.lead_table_value(source_column, missing_values) -%}
    coalesce(
        {{ lead_scoring.try_cast(value, lead_scoring.type_double()) }},
        cast({{ dbt.datediff("cast('1970-01-01' as timestamp)", lead_scoring.try_cast(value, 'timestamp'), 'second') }} as {{ lead_scoring.type_double() }})
    )
{%- endmacro %}

{#- A feature derived from a date column (features.date in leadscore.yml; byo/dates.py is its Python
    twin): days_since = whole days from the date to the row's as-of time (negative when the date is
    later); month = 'm01'..'m12'; weekday = 'mon'..'sun'. -#}
{% macro lead_table_date_part(value, part, as_of) -%}
    {%- set moment = 'cast(' ~ value ~ ' as timestamp)' -%}
    {%- if part == 'days_since' -%}
        cast({{ dbt.datediff(dbt.date_trunc('day', moment), dbt.date_trunc('day', as_of), 'day') }} as {{ lead_scoring.type_double() }})
    {%- elif part == 'month' -%}
        case when {{ value }} is not null then 'm' || lpad(cast(extract(month from {{ moment }}) as {{ dbt.type_string() }}), 2, '0') end
    {%- else -%}
        case cast(extract(isodow from {{ moment }}) as integer)
            {%- for day in ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] %}
            when {{ loop.index }} then '{{ day }}'
            {%- endfor %}
        end
    {%- endif -%}
{%- endmacro %}

{% macro lead_table_feature(name, feature, missing_values, as_of=none) -%}
    {%- set value = lead_scoring.lead_table_value(feature['source'], missing_values) -%}
    {%- if feature.get('date_part') -%}
        {{ lead_scoring.lead_table_date_part(value, feature['date_part'], as_of) }}
    {%- elif feature['kind'] == 'numeric' -%}
        case
            when abs(cast({{ value }} as {{ lead_scoring.type_double() }})) < {{ var('leadscore_max_abs_numeric') }}
                then cast({{ value }} as {{ lead_scoring.type_double() }})
        end
    {%- elif feature['kind'] == 'boolean' -%}
        case
            when {{ value }} in {{ lead_scoring.sql_literal_list(feature['true_values']) }} then true
            when {{ value }} in {{ lead_scoring.sql_literal_list(feature['false_values']) }} then false
        end
    {%- else -%}
        {{ value }}
    {%- endif %} as {{ name }}
{%- endmacro %}


{#- The data-quality flags of one feature: missing (NULL or a configured placeholder), and for a
    numeric one not_finite (NaN, inf) and out_of_range (|x| >= var leadscore_max_abs_numeric). Flagged values
    are NULL in the feature, so training and scoring never see them. -#}
{% macro lead_table_feature_flags(name, feature, missing_values) -%}
    {%- set value = lead_scoring.lead_table_value(feature['source'], missing_values) -%}
    {{ value }} is null as dq_{{ name }}__missing
    {%- if feature['kind'] == 'numeric' and not feature.get('date_part') %},
    {{ lead_scoring.is_not_finite(value) }} as dq_{{ name }}__not_finite,
    coalesce(
        not {{ lead_scoring.is_not_finite(value) }}
        and abs(cast({{ value }} as {{ lead_scoring.type_double() }})) >= {{ var('leadscore_max_abs_numeric') }},
        false
    ) as dq_{{ name }}__out_of_range
    {%- endif %}
{%- endmacro %}

{#- A cast that gives NULL instead of failing (DuckDB and Spark's try_cast; dbt's safe_cast elsewhere). -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'lead_scoring')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
