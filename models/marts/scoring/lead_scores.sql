-- One row per lead: the champion's probability, a 0-100 score, the tier its economics earn, and
-- the challenger's probability in shadow.
{%- set hot_capacity = var('leadscore_hot_tier_capacity', none) %}

with

scores as (

    select * from {{ ref('int_lead_model_scores') }}

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

trends as (

    select * from {{ ref('int_lead_score_trend') }}

),

ranked as (

    select
        *,
        row_number() over (partition by is_open order by champion_probability desc, lead_id asc) as probability_rank,
        percent_rank() over (partition by is_open order by champion_probability) as probability_percent_rank
    from scores

),

-- The top tier may also be capped by sales capacity (var leadscore_hot_tier_capacity).
champion_tiers as (

    {{ earned_tier_ranks(
        'ranked', ['lead_id'], 'champion_probability',
        'ranked.probability_rank <= ' ~ hot_capacity if hot_capacity is not none else 'true'
    ) }}

),

challenger_tiers as (

    {{ earned_tier_ranks('ranked', ['lead_id'], 'challenger_probability') }}

)

select
    ranked.lead_id,
    ranked.crm_record_id,
    ranked.account_id,
    case
        when ranked.is_open then 'open'
        when ranked.is_converted then 'converted'
        else 'aged_out'
    end as lead_status,
    ranked.is_open,
    ranked.scored_at,
    ranked.champion_model_id as model_version,
    ranked.champion_probability as probability,
    ranked.champion_log_odds as log_odds,
    cast(round(100 * ranked.champion_probability) as integer) as score,
    cast(round(100 * ranked.probability_percent_rank) as integer) as score_percentile,
    case when ranked.is_open then champion_tier.tier end as tier,
    case when ranked.is_open then champion_tier.tier_rank end as tier_rank,
    case when ranked.is_open then champion_tier.recommended_action end as recommended_action,
    case when ranked.is_open then champion_tier.sla_hours end as sla_hours,
    ranked.challenger_model_id as challenger_model_version,
    ranked.challenger_probability,
    case when ranked.is_open then challenger_tier.tier end as challenger_tier,
    case when ranked.is_open then trends.score_trend end as score_trend,
    cast(round(100 * trends.previous_probability) as integer) as previous_score,
    trends.previous_as_of_at as previous_scored_at
from ranked
left join champion_tiers on ranked.lead_id = champion_tiers.lead_id
left join thresholds as champion_tier on champion_tiers.tier_rank = champion_tier.tier_rank
left join challenger_tiers on ranked.lead_id = challenger_tiers.lead_id
left join thresholds as challenger_tier on challenger_tiers.tier_rank = challenger_tier.tier_rank
left join trends on ranked.lead_id = trends.lead_id
