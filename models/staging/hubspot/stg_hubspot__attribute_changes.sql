-- HubSpot property history (contact_property_history, company_property_history) in the staging
-- contract's attribute-change shape. HubSpot records each value a property took; the value before a
-- change is the one recorded just before it (NULL before the first: the property was not set), so
-- features read each snapshot's values as they were then (int_lead_attributes_as_of).
with

contact_history as (

    select
        *,
        {{ history_field_attribute('hubspot', 'contact_property_history', 'property_name') }} as attribute_name
    from {{ ref('base_hubspot__contact_property_history') }}
    where not is_removed and changed_at is not null

),

company_history as (

    select
        *,
        {{ history_field_attribute('hubspot', 'company_property_history', 'property_name') }} as attribute_name
    from {{ ref('base_hubspot__company_property_history') }}
    where not is_removed and changed_at is not null

),

people as (

    select distinct lead_id
    from {{ ref('stg_hubspot__leads') }}

),

companies as (

    select distinct account_id
    from {{ ref('stg_hubspot__accounts') }}

),

contact_values as (

    select
        parent_id,
        attribute_name,
        changed_at,
        {{ hubspot_history_key('parent_id') }} as source_record_id,
        lag(property_value) over (partition by parent_id, attribute_name order by changed_at, property_value) as value_before
    from contact_history
    where attribute_name is not null

),

company_values as (

    select
        parent_id,
        attribute_name,
        changed_at,
        {{ hubspot_history_key('parent_id') }} as source_record_id,
        lag(property_value) over (partition by parent_id, attribute_name order by changed_at, property_value) as value_before
    from company_history
    where attribute_name is not null

)

select
    'lead' as entity_type,
    contact_values.parent_id as entity_id,
    contact_values.attribute_name,
    contact_values.value_before,
    contact_values.changed_at,
    'contact_property_history' as source_table,
    contact_values.source_record_id
from contact_values
inner join people on contact_values.parent_id = people.lead_id
union all
select
    'account' as entity_type,
    company_values.parent_id as entity_id,
    company_values.attribute_name,
    company_values.value_before,
    company_values.changed_at,
    'company_property_history' as source_table,
    company_values.source_record_id
from company_values
inner join companies on company_values.parent_id = companies.account_id
