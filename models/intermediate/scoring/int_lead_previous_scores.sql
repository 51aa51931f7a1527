-- Per lead scored in the current run: the champion's probability at the lead's latest monthly
-- snapshot, scored by the same champion as the current run (so a move follows what the lead did,
-- not a model change). lead_scores turns it into a score and the trend.

with

snapshots as (

    select * from {{ ref('monitoring_scored_snapshots') }}

),

current_run as (

    select lead_id
    from snapshots
    where snapshot_kind = 'current'

),

latest_history as (

    select
        lead_id,
        as_of_at,
        champion_probability,
        row_number() over (partition by lead_id order by as_of_at desc) as recency
    from snapshots
    where snapshot_kind = 'history'

)

select
    current_run.lead_id,
    latest_history.as_of_at as previous_as_of_at,
    latest_history.champion_probability as previous_probability
from current_run
left join latest_history
    on
        current_run.lead_id = latest_history.lead_id
        and latest_history.recency = 1
