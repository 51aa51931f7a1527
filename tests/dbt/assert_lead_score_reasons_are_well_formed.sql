-- lead_score_reasons is a view over every lead x feature; one pass here replaces four generic
-- tests that each recomputed it (at a million leads they took 100 s of a 220 s build).
-- Fails on: a missing lead or reason text, an unknown direction, a rank above the configured
-- count, or two reasons sharing (lead_id, direction, reason_rank).
with

reasons as (

    select * from {{ ref('lead_score_reasons') }}

),

checked as (

    select
        lead_id,
        direction,
        reason_rank,
        feature_name,
        reason_text,
        count(*) over (partition by lead_id, direction, reason_rank) as rows_sharing_rank
    from reasons

)

select *
from checked
where
    lead_id is null
    or reason_text is null
    or direction is null
    or direction not in ('positive', 'negative')
    or reason_rank is null
    or reason_rank < 1
    or reason_rank > {{ var('leadscore_reasons_per_direction', 3) }}
    or rows_sharing_rank > 1
