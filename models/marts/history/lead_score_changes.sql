-- Every version of each lead's CRM payload, appended when its sync_hash differs from the lead's
-- latest logged version. An append-only log instead of a dbt snapshot, because appends run on
-- every adapter and file format (a snapshot on Apache Spark needs Delta, Iceberg or Hudi).
{{ config(materialized='incremental', on_schema_change='fail') }}

with

payload as (

    select * from {{ ref('int_crm_lead_sync_payload') }}

),

{% if is_incremental() %}

logged as (

    select
        lead_id,
        sync_hash,
        row_number() over (partition by lead_id order by changed_at desc) as recency
    from {{ this }}

),

latest as (

    select
        lead_id,
        sync_hash
    from logged
    where recency = 1

),

{% endif %}

changed as (

    select
        payload.*,
        cast({{ dbt.current_timestamp() }} as timestamp) as changed_at
    from payload
    {% if is_incremental() %}
    left join latest on payload.lead_id = latest.lead_id
    where latest.lead_id is null or latest.sync_hash <> payload.sync_hash
    {% endif %}

)

select * from changed
