{{ config(
    severity='warn',
    meta={'alert': 'A labelled month after the champion was trained has an ROC-AUC that cannot be computed: every lead converted or none did, so the live performance of the model is unknown for that month. Check raw opportunities and leads for that month (a lost or duplicated extract).'}
) }}
-- Alert: a live month (newer than the champion's training labels) with labelled rows but a NULL
-- ROC-AUC, which happens only when its rows are all converted or all not converted.
select
    as_of_at,
    labelled_rows,
    conversions,
    mean_probability * labelled_rows as expected_conversions
from {{ ref('monitoring_performance_by_month') }}
where
    is_after_training
    and labelled_rows > 0
    and roc_auc is null
