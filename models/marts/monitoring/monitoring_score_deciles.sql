-- Per split, per score (the champion's probability and the legacy rule score), per tenth of the
-- labelled snapshots ranked by that score: how many converted. Decile 1 holds the highest scores; the
-- first (rows mod 10) deciles hold one row more, as the training report's decile table does. The
-- lift of the champion over the rule score is the ratio of their decile-1 conversion rates.

with

training_scores as (

    select * from {{ ref('lead_training_scores') }}

),

scored as (

    select
        split,
        as_of_at,
        lead_id,
        'champion' as score_kind,
        champion_probability as score,
        is_converted_in_window
    from training_scores
    union all
    select
        split,
        as_of_at,
        lead_id,
        'legacy_rule_score' as score_kind,
        cast(legacy_rule_score as {{ type_double() }}) as score,
        is_converted_in_window
    from training_scores
    where legacy_rule_score is not null

),

ranked as (

    select
        *,
        ntile(10) over (
            partition by split, score_kind
            order by score desc, {{ dbt.length('lead_id') }}, lead_id, as_of_at
        ) as decile,
        max(as_of_at) over (partition by split) as split_ends_at
    from scored

)

select
    split,
    score_kind,
    cast(decile as integer) as decile,
    max(split_ends_at) as split_ends_at,
    cast(count(*) as bigint) as snapshots,
    cast(sum(case when is_converted_in_window then 1 else 0 end) as bigint) as conversions
from ranked
group by split, score_kind, decile
