{{ config(
    severity='warn',
    meta={'alert': 'In a month with enough leads in both, the top tier converted less often than the tier below it: the tiers no longer rank leads. Check drift and retrain.'}
) }}
-- Alert: a month where tier 1 converted at a lower rate than tier 2 (both with at least
-- var leadscore_monitoring_min_tier_rows labelled snapshots).
select
    top_tier.as_of_at,
    top_tier.tier,
    top_tier.conversion_rate,
    next_tier.tier as next_tier,
    next_tier.conversion_rate as next_tier_conversion_rate
from {{ ref('monitoring_tier_performance_by_month') }} as top_tier
inner join {{ ref('monitoring_tier_performance_by_month') }} as next_tier
    on
        top_tier.as_of_at = next_tier.as_of_at
        and next_tier.tier_rank = top_tier.tier_rank + 1
where
    top_tier.tier_rank = 1
    and top_tier.labelled_rows >= {{ var('leadscore_monitoring_min_tier_rows') | int }}
    and next_tier.labelled_rows >= {{ var('leadscore_monitoring_min_tier_rows') | int }}
    and top_tier.conversion_rate < next_tier.conversion_rate
