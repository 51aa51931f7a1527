-- Per lead: is its score improving, steady or declining? The current run's probability against the
-- lead's latest monthly snapshot, both scored by the same champion (so the trend follows what the
-- lead did, not a model change). A move of at least var leadscore_score_trend_points score points (probability
-- in percent) counts; a lead with no earlier snapshot is 'new'.
{%- set points = var('leadscore_score_trend_points') | float %}

with

snapshots as (

    select * from {{ ref('monitoring_scored_snapshots') }}

),

current_run as (

    select
        lead_id,
        champion_probability
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
    latest_history.champion_probability as previous_probability,
    case
        when latest_history.lead_id is null then 'new'
        when 100 * (current_run.champion_probability - latest_history.champion_probability) >= {{ points }}
            then 'improving'
        when 100 * (latest_history.champion_probability - current_run.champion_probability) >= {{ points }}
            then 'declining'
        else 'steady'
    end as score_trend
from current_run
left join latest_history
    on
        current_run.lead_id = latest_history.lead_id
        and latest_history.recency = 1
