-- Every open lead's tier is the most expensive one its probability pays for
-- (probability x value_per_conversion >= cost), unless the top tier's capacity (a count or a share
-- of the open leads) is full: then the next.
{%- set top_tier_capped = var('leadscore_hot_tier_capacity', none) is not none
    or var('leadscore_hot_tier_share', none) is not none %}

with

scores as (

    select * from {{ ref('lead_scores') }}
    where is_open

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

earned as (

    select
        scores.lead_id,
        min(thresholds.tier_rank) as earned_tier_rank
    from scores
    inner join thresholds
        on scores.probability * thresholds.value_per_conversion_usd >= thresholds.cost_usd
    group by scores.lead_id

)

select
    scores.lead_id,
    scores.probability,
    scores.tier_rank,
    earned.earned_tier_rank
from scores
inner join earned on scores.lead_id = earned.lead_id
where
    scores.tier_rank <> earned.earned_tier_rank
    {% if top_tier_capped -%}
    and not (earned.earned_tier_rank = 1 and scores.tier_rank = 2)
    {%- endif %}
