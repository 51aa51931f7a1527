-- HubSpot companies in the staging contract's account shape (raw crm_accounts columns).
select
    id as account_id,
    name as account_name,
    domain as website_domain,
    industry,
    number_of_employees as employee_count,
    annual_revenue,
    country,
    funding_stage,
    uses_salesforce,
    uses_competitor,
    created_at,
    synced_at as _loaded_at,
    'company' as source_table,
    id as source_record_id
from {{ ref('base_hubspot__company') }}
where not is_removed and not is_inactive_version
