{{ config(
    severity='warn',
    meta={'alert': 'The current run scored no open lead although a champion is trained: the volume alert has nothing to compare, so this one speaks. Usually the lead extract is empty or late, or every lead aged out (var leadscore_max_open_days). Check raw leads, int_scoring_clock.scoring_at and the data-quality scorecard.'}
) }}
-- Alert: no open lead in the current run (int_scoring_clock.scoring_at), with the usual volume of
-- the six monthly snapshots before it. Quiet while no model is trained (assert_a_model_is_trained
-- says so instead).
{%- set trained = lead_scoring.registry_value('champion_model_id') is not none %}

with

clock as (

    select scoring_at from {{ ref('int_scoring_clock') }}

),

snapshots as (

    select
        as_of_at,
        snapshot_kind
    from {{ ref('monitoring_scored_snapshots') }}

),

current_run as (

    select cast(count(*) as bigint) as scored_rows
    from snapshots
    where snapshot_kind = 'current'

),

history_periods as (

    select
        as_of_at,
        count(*) as scored_rows
    from snapshots
    where snapshot_kind <> 'current'
    group by as_of_at

),

recent_history as (

    select
        scored_rows,
        row_number() over (order by as_of_at desc) as recency
    from history_periods

),

usual as (

    select avg(cast(scored_rows as {{ type_double() }})) as usual_rows
    from recent_history
    where recency <= 6

)

select
    clock.scoring_at,
    current_run.scored_rows,
    usual.usual_rows
from clock
cross join current_run
cross join usual
where
    current_run.scored_rows = 0
    and {{ 'true' if trained else 'false' }}
