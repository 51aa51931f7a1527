-- Salesforce people in the staging contract's lead shape (raw crm_leads columns): one row per
-- person. lead_id is the Lead's Id (or the Contact's, for a contact that no lead became);
-- crm_record_id is the record a score is written back to: the lead, or its contact once converted.
-- Firmographics come from the lead's own fields (a pseudo-account 'lead:<Id>', see
-- stg_salesforce__accounts) unless var leadscore_salesforce_lead_account_field names a lookup.
with

leads as (

    select * from {{ ref('base_salesforce__lead') }}

),

contacts as (

    select * from {{ ref('base_salesforce__contact') }}

),

contact_people_ids as (

    select distinct record_id
    from {{ ref('stg_salesforce__person_records') }}
    where source_table = 'contact' and outcome = 'person'

),

lead_people as (

    select
        leads.id as lead_id,
        case when leads.is_converted and leads.converted_contact_id is not null then leads.converted_contact_id else leads.id end
            as crm_record_id,
        coalesce(leads.matched_account_id, 'lead:' || leads.id) as account_id,
        leads.email,
        leads.title as job_title,
        leads.lead_source,
        leads.created_date as created_at,
        leads.synced_at as _loaded_at,
        'lead' as source_table,
        leads.id as source_record_id
    from leads
    -- Each landed row of a live lead is kept (two rows of one Id are flagged duplicates by staging).
    where not leads.is_removed and not leads.is_inactive_version and leads.master_record_id is null

),

contact_people as (

    select
        contacts.id as lead_id,
        contacts.id as crm_record_id,
        contacts.account_id,
        contacts.email,
        contacts.title as job_title,
        contacts.lead_source,
        contacts.created_date as created_at,
        contacts.synced_at as _loaded_at,
        'contact' as source_table,
        contacts.id as source_record_id
    from contacts
    inner join contact_people_ids on contacts.id = contact_people_ids.record_id
    where not contacts.is_removed and not contacts.is_inactive_version and contacts.master_record_id is null

)

select * from lead_people
union all
select * from contact_people
