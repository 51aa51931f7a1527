{{ config(enabled=var('leadscore_input_mode', 'crm') in ['crm', 'salesforce', 'hubspot']) }}
-- No training label may look at outcomes inside the test period: make split_validation_months
-- at least as long as label_window_days. Returns the offending split when it does not hold.
with

splits as (

    select * from {{ ref('lead_training_splits') }}

)

select
    train.split,
    train.last_label_window_ends_at,
    test.starts_at as test_starts_at
from splits as train
inner join splits as test on test.split = 'test'
where
    train.split = 'train'
    and train.last_label_window_ends_at > test.starts_at
