-- HubSpot contacts in the staging contract's lead shape (raw crm_leads columns): one row per live
-- contact that was not merged into another. lead_id and crm_record_id are the contact id; the
-- account is the contact's primary company (contact_company, else associatedcompanyid).
with

contacts as (

    select * from {{ ref('base_hubspot__contact') }}

),

people as (

    select distinct record_id
    from {{ ref('stg_hubspot__person_records') }}
    where outcome = 'person'

),

company_associations as (

    select
        contact_id,
        min(company_id) as company_id
    from {{ ref('base_hubspot__contact_company') }}
    where not is_removed and not is_inactive_version
    group by contact_id

)

select
    contacts.id as lead_id,
    contacts.id as crm_record_id,
    coalesce(company_associations.company_id, contacts.company_id) as account_id,
    contacts.email,
    contacts.job_title,
    contacts.lead_source,
    contacts.created_at,
    contacts.synced_at as _loaded_at,
    'contact' as source_table,
    contacts.id as source_record_id
from contacts
inner join people on contacts.id = people.record_id
left join company_associations on contacts.id = company_associations.contact_id
where not contacts.is_removed and not contacts.is_inactive_version
