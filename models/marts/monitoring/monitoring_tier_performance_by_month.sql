-- Per as-of month and tier (by the champion's probability): how the tier converted, its lift over
-- the month's conversion rate, the mean probability it was given, and how many days its
-- conversions took (do hot leads convert faster?).
with

scores as (

    select * from {{ ref('lead_training_scores') }}

),

training_set as (

    select
        lead_id,
        as_of_at,
        converted_at
    from {{ training_mart() }}

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

tiered as (

    {{ earned_tier_ranks('scores', ['lead_id', 'as_of_at'], 'champion_probability') }}

),

months as (

    select
        as_of_at,
        avg(case when is_converted_in_window then 1.0 else 0.0 end) as month_conversion_rate
    from scores
    group by as_of_at

),

per_tier as (

    select
        scores.as_of_at,
        tiered.tier_rank,
        cast(count(*) as bigint) as labelled_rows,
        cast(sum(case when scores.is_converted_in_window then 1 else 0 end) as bigint) as conversions,
        avg(case when scores.is_converted_in_window then 1.0 else 0.0 end) as conversion_rate,
        {{ exact_avg('scores.champion_probability') }} as mean_probability,
        {{ exact_avg(
            'case when scores.is_converted_in_window then '
            ~ days_between('scores.as_of_at', 'training_set.converted_at') ~ ' end'
        ) }} as mean_days_to_conversion
    from scores
    inner join tiered
        on
            scores.lead_id = tiered.lead_id
            and scores.as_of_at = tiered.as_of_at
    left join training_set
        on
            scores.lead_id = training_set.lead_id
            and scores.as_of_at = training_set.as_of_at
    group by scores.as_of_at, tiered.tier_rank

)

select
    per_tier.as_of_at,
    thresholds.tier,
    per_tier.tier_rank,
    per_tier.labelled_rows,
    per_tier.conversions,
    per_tier.conversion_rate,
    per_tier.conversion_rate / nullif(months.month_conversion_rate, 0) as lift,
    per_tier.mean_probability,
    per_tier.mean_days_to_conversion
from per_tier
inner join thresholds on per_tier.tier_rank = thresholds.tier_rank
inner join months on per_tier.as_of_at = months.as_of_at
