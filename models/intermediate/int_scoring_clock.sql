-- One row: the time scores are as of, and the chronological split derived from the history.
-- Robust to single bad timestamps (see the model's description):
--   scoring_at       the latest lead load time that is not in the future, i.e. not later than
--                    future_after_at() (the build's clock, var leadscore_clock_now, default now, plus var
--                    leadscore_clock_future_tolerance_hours); later load times are flagged in
--                    int_leads_validated, never followed. The clock itself is not stored: a build
--                    of the same data gives the same row whenever it runs.
--   history_start_at the month of the earliest plausible created_at: not before var
--                    earliest_plausible_at and not more than var leadscore_history_outlier_days before the
--                    created_at of the lead at the 0.1% mark (so one 1900 row cannot move it).
{%- set configured_scoring_at = configured_timestamp('leadscore_scoring_at') %}
{%- set configured_history_start = configured_timestamp('leadscore_history_start') %}

with

leads as (

    select
        created_at,
        loaded_at
    from {{ ref('stg_crm__leads') }}

),

bounds as (

    select {{ future_after_at() }} as future_after_at

),

scoring_time as (

    select
        max(bounds.future_after_at) as future_after_at,
        coalesce(
            max(case when leads.loaded_at <= bounds.future_after_at then leads.loaded_at end),
            max(leads.loaded_at)
        ) as observed_scoring_at
    from leads
    cross join bounds

),

dated as (

    select
        leads.created_at,
        row_number() over (order by leads.created_at) as created_rank,
        count(*) over () as created_rows
    from leads
    cross join scoring_time
    where
        leads.created_at >= {{ configured_timestamp('leadscore_earliest_plausible_at') }}
        and leads.created_at <= {{ configured_scoring_at or 'scoring_time.observed_scoring_at' }}

),

plausible_start as (

    -- The created_at at the 0.1% mark, moved back by the tolerated gap.
    select
        {{ dbt.dateadd('day', -1 * (var('leadscore_history_outlier_days') | int), 'max(created_at)') }}
            as plausible_created_from
    from dated
    where created_rank <= greatest(1, ceiling(0.001 * created_rows))

),

history as (

    select
        {{ configured_scoring_at or 'scoring_time.observed_scoring_at' }} as scoring_at,
        greatest(
            plausible_start.plausible_created_from, {{ configured_timestamp('leadscore_earliest_plausible_at') }}
        ) as plausible_created_from,
        cast(
            {{ configured_history_start or dbt.date_trunc('month', 'min(dated.created_at)') }} as timestamp
        ) as history_start_at
    from scoring_time
    cross join plausible_start
    left join dated on plausible_start.plausible_created_from <= dated.created_at
    group by
        {{ configured_scoring_at or 'scoring_time.observed_scoring_at' }},
        plausible_start.plausible_created_from

),

splits as (

    select
        scoring_at,
        plausible_created_from,
        history_start_at,
        {{ dbt.dateadd('month', var('leadscore_split_train_months'), 'history_start_at') }} as validation_starts_at,
        {{ dbt.dateadd(
            'month', var('leadscore_split_train_months') + var('leadscore_split_validation_months'), 'history_start_at'
        ) }} as test_starts_at,
        {{ dbt.dateadd(
            'month',
            var('leadscore_split_train_months') + var('leadscore_split_validation_months') + var('leadscore_split_test_months'),
            'history_start_at'
        ) }} as test_ends_at,
        {{ var('leadscore_label_window_days') }} as label_window_days,
        {{ var('leadscore_max_open_days') }} as max_open_days
    from history

)

select
    cast(scoring_at as timestamp) as scoring_at,
    cast(plausible_created_from as timestamp) as plausible_created_from,
    cast(history_start_at as timestamp) as history_start_at,
    cast(validation_starts_at as timestamp) as validation_starts_at,
    cast(test_starts_at as timestamp) as test_starts_at,
    cast(test_ends_at as timestamp) as test_ends_at,
    label_window_days,
    max_open_days
from splits
