-- Every valid lead in lead_table mode, with the columns the scoring layer reads.
with

leads as (

    select * from {{ ref('stg_lead_table__leads') }}
    where is_valid

)

select
    lead_id,
    crm_record_id,
    cast(null as {{ dbt.type_string() }}) as account_id,
    as_of_at,
    lead_created_at,
    not coalesce(is_converted, false) as is_open,
    coalesce(is_converted, false) as is_converted,
    {%- for name in lead_feature_columns() %}
    {{ name }},
    {%- endfor %}
    cast(null as integer) as legacy_rule_score
from leads
