-- What the scoring views read: every scorable lead as of the scoring time.
with

features as (

    select * from {{ ref('int_lead_features_as_of') }}
    where snapshot_kind = 'current'

)

select
    lead_id,
    crm_record_id,
    account_id,
    as_of_at,
    lead_created_at,
    is_open,
    is_converted,
    {%- for column in lead_feature_columns() %}
    {{ column }},
    {%- endfor %}
    legacy_rule_score
from features
