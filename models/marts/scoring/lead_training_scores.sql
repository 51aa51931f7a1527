-- Every labelled snapshot scored by the champion and the challenger, in the warehouse: the
-- backtest monitoring reads, and the proof that warehouse scores are the trained models' scores.
{{ config(pre_hook="{{ scoring_session_settings() }}", post_hook="{{ scoring_session_reset() }}") }}

with

training_set as (

    select * from {{ training_mart() }}

),

champion as (

    {{ champion_scores(training_mart()) }}

),

challenger as (

    {{ score_model(registry_value('challenger_model_id'), training_mart()) }}

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
    challenger.probability as challenger_probability
from training_set
inner join champion
    on
        training_set.lead_id = champion.lead_id
        and training_set.as_of_at = champion.as_of_at
left join challenger
    on
        training_set.lead_id = challenger.lead_id
        and training_set.as_of_at = challenger.as_of_at
