{{ config(
    severity='warn',
    meta={'alert': 'The current run has drifted from the champion\'s training data: PSI above var leadscore_monitoring_psi_alert (default 0.2) on the score or one of the champion\'s most important features. Look at monitoring.monitoring_feature_drift, then retrain (`leadscore train`) if it persists.'}
) }}
-- Alert: the current run's distribution of the champion's probability, or of one of its most
-- important features, has moved from the training baseline (PSI > var leadscore_monitoring_psi_alert).
select
    as_of_at,
    feature,
    psi_vs_training,
    js_distance_vs_training
from {{ ref('monitoring_feature_drift') }}
where
    snapshot_kind = 'current'
    and (is_score or is_top_feature)
    and psi_vs_training > {{ var('leadscore_monitoring_psi_alert') | float }}
