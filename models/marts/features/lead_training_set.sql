-- What models learn from: monthly snapshots of open leads whose label window has closed.
with

features as (

    select * from {{ ref('int_lead_features_as_of') }}
    where snapshot_kind = 'history'

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

conversions as (

    select
        lead_id,
        converted_at
    from {{ ref('int_lead_conversions') }}

),

feedback as (

    select
        lead_id,
        max(case when flag = 'mislabeled' then 1 else 0 end) as is_flagged_mislabeled,
        max(case when flag = 'wrong_score' then 1 else 0 end) as is_flagged_wrong_score
    from {{ ref('int_lead_feedback_validated') }}
    where is_usable
    group by lead_id

),

labelled as (

    select
        features.*,
        conversions.converted_at,
        case
            when feedback.is_flagged_mislabeled = 1 then 'mislabeled'
            when feedback.is_flagged_wrong_score = 1 then 'wrong_score'
        end as feedback_flag,
        {{ dbt.dateadd('day', var('leadscore_label_window_days'), 'features.as_of_at') }} as label_window_ends_at,
        clock.scoring_at,
        clock.validation_starts_at,
        clock.test_starts_at,
        clock.test_ends_at
    from features
    cross join clock
    left join conversions on features.lead_id = conversions.lead_id
    left join feedback on features.lead_id = feedback.lead_id

)

select
    lead_id,
    account_id,
    as_of_at,
    lead_created_at,
    {%- for column in lead_feature_columns() %}
    {{ column }},
    {%- endfor %}
    legacy_rule_score,
    converted_at,
    cast(label_window_ends_at as timestamp) as label_window_ends_at,
    coalesce(converted_at > as_of_at and converted_at <= label_window_ends_at, false) as is_converted_in_window,
    case
        when as_of_at < validation_starts_at then 'train'
        when as_of_at < test_starts_at then 'validation'
        when as_of_at < test_ends_at then 'test'
        else 'recent'
    end as split,
    cast(feedback_flag as {{ dbt.type_string() }}) as feedback_flag
from labelled
-- Leads whose window is still open have no label yet: kept out of training and evaluation.
where label_window_ends_at <= scoring_at
