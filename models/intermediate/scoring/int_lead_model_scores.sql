-- Every lead of the feature mart scored by the champion (or its segment's model) and the
-- challenger, with the generated SQL.
with

features as (

    select * from {{ feature_mart() }}

),

champion as (

    {{ champion_scores(feature_mart()) }}

),

challenger as (

    {{ score_model(registry_value('challenger_model_id'), feature_mart()) }}

)

select
    features.lead_id,
    features.crm_record_id,
    features.account_id,
    features.as_of_at as scored_at,
    features.is_open,
    features.is_converted,
    champion.scored_by as champion_model_id,
    cast(champion.probability as {{ type_double() }}) as champion_probability,
    cast(champion.log_odds as {{ type_double() }}) as champion_log_odds,
    {{ sql_literal_or_null(registry_value('challenger_model_id')) }} as challenger_model_id,
    cast(challenger.probability as {{ type_double() }}) as challenger_probability
from features
inner join champion on features.lead_id = champion.lead_id
left join challenger on features.lead_id = challenger.lead_id
