{{ config(
    severity='warn',
    meta={'alert': 'The current run scored a number of leads more than var leadscore_monitoring_volume_change_alert (default 50%) away from the mean of the previous six monthly snapshots: a broken extract, a lost source, or a campaign. Check the raw tables and the data-quality scorecard.'}
) }}
-- Alert: the current run's scored rows against the mean of the six monthly snapshots before it.
with

periods as (

    select distinct
        as_of_at,
        snapshot_kind,
        scored_rows
    from {{ ref('monitoring_feature_drift') }}

),

usual as (

    select
        as_of_at,
        snapshot_kind,
        scored_rows,
        avg(scored_rows) over (order by as_of_at rows between 6 preceding and 1 preceding) as usual_rows
    from periods

)

select
    as_of_at,
    scored_rows,
    usual_rows
from usual
where
    snapshot_kind = 'current'
    and abs(scored_rows / usual_rows - 1) > {{ var('leadscore_monitoring_volume_change_alert') | float }}
