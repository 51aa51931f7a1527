-- Every snapshot monitoring watches, scored by the champion: the monthly history snapshots of open
-- leads (labelled or not yet) and the current run's open leads. Drift is measured on these rows.
-- Incremental (macros/scoring/incremental_scoring.sql): a build scores only the snapshots that are
-- new, whose features changed, or that other models scored, and deletes those no longer watched.
{{ config(
    materialized=incremental_scoring_materialization(),
    incremental_strategy=incremental_scoring_strategy(),
    unique_key=['lead_id', 'as_of_at'],
    on_schema_change='append_new_columns',
    pre_hook="{{ scoring_session_settings() }}",
    post_hook=["{{ scoring_session_reset() }}", "{{ delete_rows_gone(this, monitored_snapshots()) }}"],
) }}

{%- set inputs = ['snapshot_kind'] + lead_feature_columns() -%}
{%- set to_score = rows_to_score(this, monitored_snapshots(), inputs) if is_incremental() else monitored_snapshots() %}

with

snapshots as (

    select
        source_row.*,
        {{ row_fingerprint('source_row', inputs) }} as scored_inputs_hash
    from {{ to_score }} as source_row

),

champion as (

    {{ champion_scores(to_score) }}

)

select
    snapshots.lead_id,
    snapshots.as_of_at,
    snapshots.snapshot_kind,
    {%- for column in lead_feature_columns() %}
    snapshots.{{ column }},
    {%- endfor %}
    champion.scored_by as champion_model_id,
    champion.probability as champion_probability,
    snapshots.scored_inputs_hash,
    {{ sql_literal(scoring_models_key()) }} as scored_with_models_key
from snapshots
inner join champion
    on
        snapshots.lead_id = champion.lead_id
        and snapshots.as_of_at = champion.as_of_at
