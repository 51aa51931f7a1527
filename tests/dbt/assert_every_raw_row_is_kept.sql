{{ config(enabled=var('leadscore_input_mode', 'crm') in ['crm', 'salesforce', 'hubspot']) }}
-- Nothing is dropped silently: staging keeps exactly the raw row count of every table.
with

counts as (

    select
        'crm_accounts' as table_name,
        (select count(*) from {{ crm_input('accounts') }}) as raw_rows,
        (select count(*) from {{ ref('stg_crm__accounts') }}) as kept_rows
    union all
    select
        'crm_leads' as table_name,
        (select count(*) from {{ crm_input('leads') }}) as raw_rows,
        (select count(*) from {{ ref('int_leads_validated') }}) as kept_rows
    union all
    select
        'crm_activities' as table_name,
        (select count(*) from {{ crm_input('activities') }}) as raw_rows,
        (select count(*) from {{ ref('int_activities_validated') }}) as kept_rows
    union all
    select
        'crm_opportunities' as table_name,
        (select count(*) from {{ crm_input('opportunities') }}) as raw_rows,
        (select count(*) from {{ ref('int_opportunities_validated') }}) as kept_rows

)

select * from counts
where raw_rows <> kept_rows
