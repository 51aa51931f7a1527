-- Every snapshot monitoring watches, scored by the champion: the monthly history snapshots of open
-- leads (labelled or not yet) and the current run's open leads. Drift is measured on these rows.
{{ config(pre_hook="{{ scoring_session_settings() }}", post_hook="{{ scoring_session_reset() }}") }}

with

snapshots as (

    select * from {{ monitored_snapshots() }} as monitored

),

champion as (

    {{ champion_scores(monitored_snapshots()) }}

)

select
    snapshots.lead_id,
    snapshots.as_of_at,
    snapshots.snapshot_kind,
    {%- for column in lead_feature_columns() %}
    snapshots.{{ column }},
    {%- endfor %}
    champion.scored_by as champion_model_id,
    champion.probability as champion_probability
from snapshots
inner join champion
    on
        snapshots.lead_id = champion.lead_id
        and snapshots.as_of_at = champion.as_of_at
