-- The reverse-ETL feed: one row per lead keyed by the CRM's record id; send rows whose sync_hash
-- differs from what the CRM last received (changed_at says when it last changed).
with

payload as (

    select * from {{ ref('int_crm_lead_sync_payload') }}

),

history as (

    select
        lead_id,
        dbt_valid_from
    from {{ ref('lead_score_history') }}
    where dbt_valid_to is null

)

select
    payload.crm_record_id,
    payload.lead_id,
    payload.lead_status,
    payload.tier,
    payload.score,
    payload.recommended_action,
    payload.score_trend,
    payload.top_reasons,
    payload.model_version,
    payload.sync_hash,
    cast(history.dbt_valid_from as timestamp) as changed_at
from payload
left join history on payload.lead_id = history.lead_id
where payload.crm_record_id is not null
