-- Salesforce field history (LeadHistory, ContactHistory, AccountHistory) in the staging contract's
-- attribute-change shape: one row per change of a field leadscore reads, with the value it held
-- before, so features read each snapshot's values as they were then (int_lead_attributes_as_of).
-- A lead's firmographic fields are its pseudo-account's ('lead:<Id>'), read only when the lead has
-- no account lookup; a contact's history is read for a contact that is a person of its own.
with

{%- for table in ['lead_history', 'contact_history', 'account_history'] %}

{{ table }} as (

    select
        *,
        {{ history_field_attribute('salesforce', table, 'field') }} as attribute_name
    from {{ ref('base_salesforce__' ~ table) }}
    where not is_removed

),
{%- endfor %}

people as (

    select
        lead_id,
        source_table,
        max(case when account_id = 'lead:' || lead_id then 1 else 0 end) = 1 as has_own_firmographics
    from {{ ref('stg_salesforce__leads') }}
    group by lead_id, source_table

),

accounts as (

    select distinct account_id
    from {{ ref('stg_salesforce__accounts') }}
    where source_table = 'account'

),

lead_changes as (

    select
        case when lead_history.attribute_name in {{ sql_literal_list(person_attributes()) }} then 'lead' else 'account' end
            as entity_type,
        case
            when lead_history.attribute_name in {{ sql_literal_list(person_attributes()) }} then people.lead_id
            else 'lead:' || people.lead_id
        end as entity_id,
        lead_history.attribute_name,
        lead_history.old_value as value_before,
        lead_history.changed_at,
        'lead_history' as source_table,
        lead_history.id as source_record_id
    from lead_history
    inner join people on lead_history.parent_id = people.lead_id and people.source_table = 'lead'
    where
        lead_history.changed_at is not null
        and (
            lead_history.attribute_name in {{ sql_literal_list(person_attributes()) }}
            or (lead_history.attribute_name is not null and people.has_own_firmographics)
        )

),

contact_changes as (

    select
        'lead' as entity_type,
        people.lead_id as entity_id,
        contact_history.attribute_name,
        contact_history.old_value as value_before,
        contact_history.changed_at,
        'contact_history' as source_table,
        contact_history.id as source_record_id
    from contact_history
    inner join people on contact_history.parent_id = people.lead_id and people.source_table = 'contact'
    where contact_history.attribute_name is not null and contact_history.changed_at is not null

),

account_changes as (

    select
        'account' as entity_type,
        accounts.account_id as entity_id,
        account_history.attribute_name,
        account_history.old_value as value_before,
        account_history.changed_at,
        'account_history' as source_table,
        account_history.id as source_record_id
    from account_history
    inner join accounts on account_history.parent_id = accounts.account_id
    where account_history.attribute_name is not null and account_history.changed_at is not null

)

select * from lead_changes
union all
select * from contact_changes
union all
select * from account_changes
