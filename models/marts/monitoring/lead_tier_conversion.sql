-- How each tier converted, per split: do tiers separate leads as the economics assumed, and are
-- the probabilities calibrated (mean_probability against conversion_rate)?
with

scores as (

    select * from {{ ref('lead_training_scores') }}

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

tiered as (

    {{ earned_tier_ranks('scores', ['lead_id', 'as_of_at'], 'champion_probability') }}

)

select
    scores.split,
    thresholds.tier,
    thresholds.tier_rank,
    cast(count(*) as bigint) as snapshots,
    cast(sum(case when scores.is_converted_in_window then 1 else 0 end) as bigint) as conversions,
    avg(case when scores.is_converted_in_window then 1.0 else 0.0 end) as conversion_rate,
    {{ exact_avg('scores.champion_probability') }} as mean_probability,
    avg(case when scores.is_converted_in_window then 1.0 else 0.0 end) * max(thresholds.value_per_conversion_usd)
    - max(thresholds.cost_usd) as expected_value_per_lead_usd
from scores
inner join tiered
    on
        scores.lead_id = tiered.lead_id
        and scores.as_of_at = tiered.as_of_at
inner join thresholds on tiered.tier_rank = thresholds.tier_rank
group by scores.split, thresholds.tier, thresholds.tier_rank
