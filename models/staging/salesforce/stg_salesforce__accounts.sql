-- Salesforce accounts in the staging contract's account shape (raw crm_accounts columns), and one
-- pseudo-account per person-lead without an account lookup, made of the lead's own company fields
-- (Company, Website, Industry, NumberOfEmployees, AnnualRevenue, Country) as typed before
-- conversion. The converted account is not used: it is attached at conversion, so reading it for
-- an earlier snapshot would tell the model who converted.
with

accounts as (

    select * from {{ ref('base_salesforce__account') }}

),

leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

lead_fields as (

    select * from {{ ref('base_salesforce__lead') }}

),

real_accounts as (

    select
        id as account_id,
        name as account_name,
        website as website_domain,
        industry,
        number_of_employees as employee_count,
        annual_revenue,
        country,
        funding_stage,
        uses_salesforce,
        uses_competitor,
        created_date as created_at,
        synced_at as _loaded_at,
        'account' as source_table,
        id as source_record_id
    from accounts
    where not is_removed and not is_inactive_version and master_record_id is null

),

lead_accounts as (

    select
        leads.account_id,
        lead_fields.company as account_name,
        lead_fields.website as website_domain,
        lead_fields.industry,
        lead_fields.number_of_employees as employee_count,
        lead_fields.annual_revenue,
        lead_fields.country,
        cast(null as {{ dbt.type_string() }}) as funding_stage,
        cast(null as boolean) as uses_salesforce,
        cast(null as boolean) as uses_competitor,
        lead_fields.created_date as created_at,
        lead_fields.synced_at as _loaded_at,
        'lead' as source_table,
        lead_fields.id as source_record_id
    from leads
    inner join lead_fields on leads.lead_id = lead_fields.id
    where
        leads.account_id = 'lead:' || leads.lead_id
        and not lead_fields.is_removed
        and not lead_fields.is_inactive_version
        and lead_fields.master_record_id is null

)

select * from real_accounts
union all
select * from lead_accounts
