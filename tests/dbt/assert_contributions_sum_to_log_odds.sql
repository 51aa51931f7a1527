-- Reasons are exact: for every lead, the model's bias plus every feature's contribution equals
-- the log-odds behind its probability (to 1e-9).
with

contributions as (

    select * from {{ ref('int_lead_score_contributions') }}

),

scores as (

    select
        lead_id,
        log_odds
    from {{ ref('lead_scores') }}

)

select
    contributions.lead_id,
    scores.log_odds,
    contributions.bias
    {%- for feature in lead_feature_columns() %}
    + contributions.contribution__{{ feature }}
    {%- endfor %} as explained_log_odds
from contributions
inner join scores on contributions.lead_id = scores.lead_id
where abs(
    scores.log_odds - (
        contributions.bias
        {%- for feature in lead_feature_columns() %}
        + contributions.contribution__{{ feature }}
        {%- endfor %}
    )
) > 1e-9
