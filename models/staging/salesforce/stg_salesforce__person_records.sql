-- Every Lead and Contact row the connector landed, and the person it belongs to. A person is a lead
-- (its Id is the person's lead_id) or a contact that no lead converted into. A converted lead and
-- its contact are one person; a record merged into another (master_record_id) belongs to its
-- master's person (its Tasks and Events were moved there by Salesforce); deleted rows and inactive
-- history versions belong to no one. quality.connector_row_accounting counts every outcome.
with

leads as (

    select * from {{ ref('base_salesforce__lead') }}

),

contacts as (

    select * from {{ ref('base_salesforce__contact') }}

),

live_leads as (

    select * from leads
    where not is_removed and not is_inactive_version and master_record_id is null

),

conversions as (

    -- The contact each lead became; a contact that two leads became is counted (converted_twice).
    select
        converted_contact_id as contact_id,
        min(id) as lead_id,
        count(*) as converting_leads
    from live_leads
    where converted_contact_id is not null
    group by converted_contact_id

),

lead_records as (

    select
        'lead' as source_table,
        leads.id as record_id,
        case
            when leads.is_removed then 'deleted'
            when leads.is_inactive_version then 'history_version'
            when leads.master_record_id is not null then 'merged'
            else 'person'
        end as outcome,
        case
            when leads.is_removed or leads.is_inactive_version then null
            when leads.master_record_id is not null then leads.master_record_id
            else leads.id
        end as person_id
    from leads

),

contact_records as (

    select
        'contact' as source_table,
        contacts.id as record_id,
        case
            when contacts.is_removed then 'deleted'
            when contacts.is_inactive_version then 'history_version'
            when contacts.master_record_id is not null then 'merged'
            when conversions.lead_id is not null then 'converted_from_lead'
            else 'person'
        end as outcome,
        case
            when contacts.is_removed or contacts.is_inactive_version then null
            when contacts.master_record_id is not null then contacts.master_record_id
            when conversions.lead_id is not null then conversions.lead_id
            else contacts.id
        end as person_id
    from contacts
    left join conversions on contacts.id = conversions.contact_id

),

records as (

    select * from lead_records
    union all
    select * from contact_records

),

masters as (

    -- One hop resolves a merged record to its master's person (a master converted into a contact
    -- resolves through that contact's row).
    select
        record_id,
        person_id
    from records
    where outcome in ('person', 'converted_from_lead')

)

select
    records.source_table,
    records.record_id,
    records.outcome,
    case
        when records.outcome = 'merged' then masters.person_id
        else records.person_id
    end as person_id
from records
left join masters on records.person_id = masters.record_id and records.outcome = 'merged'
