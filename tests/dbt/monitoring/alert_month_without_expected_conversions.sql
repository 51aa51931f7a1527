{{ config(
    severity='warn',
    meta={'alert': 'A labelled month has no conversion at all where the champion expected at least var leadscore_monitoring_min_expected_conversions (default 5): conversions were lost (an opportunity extract that stopped, a renamed stage) rather than absent. Its AUC cannot be computed and its labels would teach the next model that nobody converts. Check raw opportunities for that month before retraining.'}
) }}
-- Alert: a labelled month (label window closed) with zero conversions while the champion's
-- probabilities on its rows sum to at least var leadscore_monitoring_min_expected_conversions.
select
    as_of_at,
    labelled_rows,
    conversions,
    mean_probability * labelled_rows as expected_conversions,
    is_after_training
from {{ ref('monitoring_performance_by_month') }}
where
    conversions = 0
    and mean_probability * labelled_rows >= {{ var('leadscore_monitoring_min_expected_conversions') | float }}
