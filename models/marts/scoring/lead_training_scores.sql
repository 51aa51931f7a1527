-- Every labelled snapshot scored by the champion and the challenger, in the warehouse: the
-- backtest monitoring reads, and the proof that warehouse scores are the trained models' scores.
-- Incremental (macros/scoring/incremental_scoring.sql): a build scores only the snapshots that are new,
-- changed in the training mart, or scored by other models, and deletes those gone from the mart.
{{ config(
    materialized=incremental_scoring_materialization(),
    incremental_strategy=incremental_scoring_strategy(),
    unique_key=['lead_id', 'as_of_at'],
    on_schema_change='append_new_columns',
    pre_hook="{{ scoring_session_settings() }}",
    post_hook=["{{ scoring_session_reset() }}", "{{ delete_rows_gone(this, training_mart()) }}"],
) }}

{%- set inputs = relation_column_names(training_mart()) -%}
{%- set to_score = rows_to_score(this, training_mart(), inputs) if is_incremental() else training_mart() %}

with

training_set as (

    select
        source_row.*,
        {{ row_fingerprint('source_row', inputs) }} as scored_inputs_hash
    from {{ to_score }} as source_row

),

champion as (

    {{ champion_scores(to_score) }}

),

challenger as (

    {{ score_model(registry_value('challenger_model_id'), to_score) }}

)

select
    training_set.lead_id,
    training_set.as_of_at,
    training_set.split,
    training_set.is_converted_in_window,
    training_set.legacy_rule_score,
    champion.scored_by as champion_model_id,
    champion.probability as champion_probability,
    champion.log_odds as champion_log_odds,
    {{ sql_literal_or_null(registry_value('challenger_model_id')) }} as challenger_model_id,
    challenger.probability as challenger_probability,
    training_set.scored_inputs_hash,
    {{ sql_literal(scoring_models_key()) }} as scored_with_models_key
from training_set
inner join champion
    on
        training_set.lead_id = champion.lead_id
        and training_set.as_of_at = champion.as_of_at
left join challenger
    on
        training_set.lead_id = challenger.lead_id
        and training_set.as_of_at = challenger.as_of_at
