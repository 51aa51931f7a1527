{{ config(enabled=var('leadscore_input_mode', 'crm') in ['crm', 'salesforce', 'hubspot']) }}
-- The label is "converted after as_of_at and within label_window_days", only for closed windows,
-- never for a lead already converted at the snapshot. Recomputed from the conversions model.
with

training_set as (

    select * from {{ ref('lead_training_set') }}

),

conversions as (

    select
        lead_id,
        converted_at
    from {{ ref('int_lead_conversions') }}

),

clock as (

    select scoring_at from {{ ref('int_scoring_clock') }}

)

select
    training_set.lead_id,
    training_set.as_of_at,
    training_set.is_converted_in_window,
    conversions.converted_at
from training_set
cross join clock
left join conversions on training_set.lead_id = conversions.lead_id
where
    training_set.label_window_ends_at > clock.scoring_at
    or conversions.converted_at <= training_set.as_of_at
    or training_set.is_converted_in_window <> coalesce(
        conversions.converted_at > training_set.as_of_at
        and conversions.converted_at <= {{ dbt.dateadd('day', var('leadscore_label_window_days'), 'training_set.as_of_at') }},
        false
    )
