-- Performance expected before labels arrive (confidence-based performance estimation, as NannyML's
-- CBPE): with calibrated probabilities, a snapshot with probability p converts with chance p, so the
-- expected ROC-AUC is the rank-sum AUC in which every snapshot counts as a conversion with weight p
-- and as a non-conversion with weight 1 - p (tied scores half). Per monitored period (each month,
-- and the current run's open leads), beside what the labels showed once they arrived.
with

scored as (

    select * from {{ ref('monitoring_scored_snapshots') }}

),

realised as (

    select * from {{ ref('monitoring_performance_by_month') }}

),

per_score as (

    select
        as_of_at,
        champion_probability,
        {{ exact_sum('champion_probability') }} as expected_positive,
        {{ exact_sum('1 - champion_probability') }} as expected_negative
    from scored
    where champion_probability is not null
    group by as_of_at, champion_probability

),

cumulated as (

    select
        as_of_at,
        expected_positive,
        expected_negative,
        coalesce(
            {{ exact_window_sum(
                'expected_negative',
                'partition by as_of_at order by champion_probability rows between unbounded preceding and 1 preceding'
            ) }},
            0
        ) as expected_negative_below
    from per_score

),

per_period as (

    select
        as_of_at,
        {{ exact_sum('expected_positive * (expected_negative_below + expected_negative / 2)') }} as expected_pairs_won,
        {{ exact_sum('expected_positive') }} as expected_conversions,
        {{ exact_sum('expected_negative') }} as expected_non_conversions
    from cumulated
    group by as_of_at

),

periods as (

    select
        as_of_at,
        min(snapshot_kind) as snapshot_kind,
        cast(count(*) as bigint) as scored_rows
    from scored
    group by as_of_at

)

select
    periods.as_of_at,
    periods.snapshot_kind,
    periods.scored_rows,
    per_period.expected_conversions,
    per_period.expected_conversions / periods.scored_rows as expected_conversion_rate,
    per_period.expected_pairs_won
    / nullif(per_period.expected_conversions * per_period.expected_non_conversions, 0) as estimated_auc,
    realised.labelled_rows as realised_labelled_rows,
    realised.conversion_rate as realised_conversion_rate,
    realised.roc_auc as realised_auc
from periods
inner join per_period on periods.as_of_at = per_period.as_of_at
left join realised on periods.as_of_at = realised.as_of_at
