-- One row per lead: the champion's probability, a 0-100 score sales reads as a rank, the tier its
-- economics earn, and the challenger's probability in shadow.
--
-- The score is the share of open leads whose probability is at or below the lead's (a percentile
-- among open leads, 1-100 for open leads; a closed lead is placed on the same scale). The top
-- tier is also capped by sales capacity: at most var leadscore_hot_tier_share of the open leads
-- and at most var leadscore_hot_tier_capacity leads, the most likely first; a lead over the cap
-- drops to the next tier it pays for.
{%- set hot_capacity = var('leadscore_hot_tier_capacity', none) %}
{%- set hot_share = var('leadscore_hot_tier_share', none) %}
{%- set trend_points = var('leadscore_score_trend_points') | float %}
{%- set caps = [] %}
{%- if hot_capacity is not none %}{% do caps.append('ranked.probability_rank <= ' ~ (hot_capacity | int)) %}{% endif %}
{%- set share_cap = 'ranked.probability_rank <= ceil(' ~ (hot_share | float) ~ ' * ranked.open_leads)' %}
{%- if hot_share is not none %}{% do caps.append(share_cap) %}{% endif %}

with

scores as (

    select * from {{ ref('int_lead_model_scores') }}

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

previous_scores as (

    select * from {{ ref('int_lead_previous_scores') }}

),

ranked as (

    select
        *,
        row_number() over (partition by is_open order by champion_probability desc, lead_id asc) as probability_rank,
        sum(case when is_open then 1 else 0 end) over () as open_leads
    from scores

),

-- Each current probability, and each lead's probability at its previous snapshot, placed among
-- the open leads of this run: how many open leads score at or below it (ties count as below).
placed as (

    select
        lead_id,
        'current' as placement,
        champion_probability as probability,
        is_open
    from scores
    union all
    select
        lead_id,
        'previous' as placement,
        previous_probability as probability,
        false as is_open
    from previous_scores
    where previous_probability is not null

),

counted as (

    select
        lead_id,
        placement,
        sum(case when is_open then 1 else 0 end) over (
            order by probability range between unbounded preceding and current row
        ) as open_leads_at_or_below,
        sum(case when is_open then 1 else 0 end) over () as open_leads
    from placed

),

percentiles as (

    select
        lead_id,
        placement,
        cast(ceil(100.0 * open_leads_at_or_below / nullif(open_leads, 0)) as integer) as score
    from counted

),

-- The top tier may also be capped by sales capacity (vars leadscore_hot_tier_share, leadscore_hot_tier_capacity).
champion_tiers as (

    {{ earned_tier_ranks(
        'ranked', ['lead_id'], 'champion_probability',
        caps | join(' and ') if caps else 'true'
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
    current_score.score,
    cast(round(100 * ranked.champion_probability) as integer) as probability_percent,
    case when ranked.is_open then champion_tier.tier end as tier,
    case when ranked.is_open then champion_tier.tier_rank end as tier_rank,
    case when ranked.is_open then champion_tier.recommended_action end as recommended_action,
    case when ranked.is_open then champion_tier.sla_hours end as sla_hours,
    ranked.challenger_model_id as challenger_model_version,
    ranked.challenger_probability,
    case when ranked.is_open then challenger_tier.tier end as challenger_tier,
    case
        when not ranked.is_open then null
        when previous_score.score is null then 'new'
        when current_score.score - previous_score.score >= {{ trend_points }} then 'improving'
        when previous_score.score - current_score.score >= {{ trend_points }} then 'declining'
        else 'steady'
    end as score_trend,
    previous_score.score as previous_score,
    previous_scores.previous_as_of_at as previous_scored_at
from ranked
left join percentiles as current_score
    on ranked.lead_id = current_score.lead_id and current_score.placement = 'current'
left join champion_tiers on ranked.lead_id = champion_tiers.lead_id
left join thresholds as champion_tier on champion_tiers.tier_rank = champion_tier.tier_rank
left join challenger_tiers on ranked.lead_id = challenger_tiers.lead_id
left join thresholds as challenger_tier on challenger_tiers.tier_rank = challenger_tier.tier_rank
left join previous_scores on ranked.lead_id = previous_scores.lead_id
left join percentiles as previous_score
    on ranked.lead_id = previous_score.lead_id and previous_score.placement = 'previous'
