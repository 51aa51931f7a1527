-- Per monitored period and tier: how many snapshots the tier holds, the conversion rate expected
-- from their calibrated probabilities (the expected precision of the top tier, before any label),
-- and the rate the labels showed where they have arrived.
with

scored as (

    select * from {{ ref('monitoring_scored_snapshots') }}

),

training_set as (

    select
        lead_id,
        as_of_at,
        is_converted_in_window
    from {{ training_mart() }}

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

tiered as (

    {{ earned_tier_ranks('scored', ['lead_id', 'as_of_at'], 'champion_probability') }}

)

select
    scored.as_of_at,
    thresholds.tier,
    tiered.tier_rank,
    cast(count(*) as bigint) as scored_rows,
    {{ exact_avg('scored.champion_probability') }} as expected_conversion_rate,
    cast(count(training_set.is_converted_in_window) as bigint) as labelled_rows,
    avg(case when training_set.is_converted_in_window then 1.0 when not training_set.is_converted_in_window then 0.0 end)
        as realised_conversion_rate
from scored
inner join tiered
    on
        scored.lead_id = tiered.lead_id
        and scored.as_of_at = tiered.as_of_at
inner join thresholds on tiered.tier_rank = thresholds.tier_rank
left join training_set
    on
        scored.lead_id = training_set.lead_id
        and scored.as_of_at = training_set.as_of_at
group by scored.as_of_at, thresholds.tier, tiered.tier_rank
