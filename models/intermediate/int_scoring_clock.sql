-- One row: the time scores are as of, and the chronological split derived from the history.
{%- set configured_scoring_at = configured_timestamp('scoring_at') %}
{%- set configured_history_start = configured_timestamp('history_start') %}

with

leads as (

    select
        created_at,
        loaded_at
    from {{ ref('stg_crm__leads') }}

),

scoring_time as (

    select max({{ configured_scoring_at or 'loaded_at' }}) as scoring_at
    from leads

),

history as (

    select
        scoring_time.scoring_at,
        cast({{ configured_history_start or dbt.date_trunc('month', 'min(leads.created_at)') }} as timestamp)
            as history_start_at
    from leads
    cross join scoring_time
    where leads.created_at <= scoring_time.scoring_at
    group by scoring_time.scoring_at

),

splits as (

    select
        scoring_at,
        history_start_at,
        {{ dbt.dateadd('month', var('split_train_months'), 'history_start_at') }} as validation_starts_at,
        {{ dbt.dateadd('month', var('split_train_months') + var('split_validation_months'), 'history_start_at') }}
            as test_starts_at,
        {{ dbt.dateadd(
            'month',
            var('split_train_months') + var('split_validation_months') + var('split_test_months'),
            'history_start_at'
        ) }} as test_ends_at,
        {{ var('label_window_days') }} as label_window_days,
        {{ var('max_open_days') }} as max_open_days
    from history

)

select
    cast(scoring_at as timestamp) as scoring_at,
    cast(history_start_at as timestamp) as history_start_at,
    cast(validation_starts_at as timestamp) as validation_starts_at,
    cast(test_starts_at as timestamp) as test_starts_at,
    cast(test_ends_at as timestamp) as test_ends_at,
    label_window_days,
    max_open_days
from splits
