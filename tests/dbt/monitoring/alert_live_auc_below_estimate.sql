{{ config(
    severity='warn',
    meta={'alert': 'On months labelled after the champion was trained, its ROC-AUC is more than var leadscore_monitoring_auc_drop_alert (default 5%) below its walk-forward estimate. Retrain on the fresh labels (`leadscore train`).'}
) }}
-- Alert: live ROC-AUC (months newer than the champion's training labels, with at least
-- var leadscore_monitoring_min_conversions conversions) below the walk-forward estimate by more than
-- var leadscore_monitoring_auc_drop_alert, relatively.
select
    as_of_at,
    labelled_rows,
    conversions,
    roc_auc,
    estimated_auc
from {{ ref('monitoring_performance_by_month') }}
where
    is_after_training
    and conversions >= {{ var('leadscore_monitoring_min_conversions') | int }}
    and roc_auc < estimated_auc * (1 - {{ var('leadscore_monitoring_auc_drop_alert') | float }})
