-- HubSpot property history (contact_property_history, company_property_history) in the staging
-- contract's attribute-change shape. HubSpot records each value a property took; the value before a
-- change is the one recorded just before it (NULL before the first: the property was not set), so
-- features read each snapshot's values as they were then (int_lead_attributes_as_of).
{%- set histories = [
    ('contact_property_history', 'lead', 'stg_hubspot__leads', 'lead_id'),
    ('company_property_history', 'account', 'stg_hubspot__accounts', 'account_id'),
] %}
with

{%- for table, entity_type, owners, owner_id in histories %}

{{ entity_type }}_history as (

    select
        *,
        {{ history_field_attribute('hubspot', table, 'property_name') }} as attribute_name
    from {{ ref('base_hubspot__' ~ table) }}
    where not is_removed and changed_at is not null

),

{{ entity_type }}_owners as (

    select distinct {{ owner_id }} as owner_id
    from {{ ref(owners) }}

),

{{ entity_type }}_values as (

    select
        parent_id,
        attribute_name,
        changed_at,
        {{ hubspot_history_key('parent_id') }} as source_record_id,
        lag(property_value) over (partition by parent_id, attribute_name order by changed_at, property_value)
            as value_before
    from {{ entity_type }}_history
    where attribute_name is not null

),

{%- endfor %}

changes as (

    {%- for table, entity_type, owners, owner_id in histories %}
    select
        {{ sql_literal(entity_type) }} as entity_type,
        {{ entity_type }}_values.parent_id as entity_id,
        {{ entity_type }}_values.attribute_name,
        {{ entity_type }}_values.value_before,
        {{ entity_type }}_values.changed_at,
        {{ sql_literal(table) }} as source_table,
        {{ entity_type }}_values.source_record_id
    from {{ entity_type }}_values
    inner join {{ entity_type }}_owners on {{ entity_type }}_values.parent_id = {{ entity_type }}_owners.owner_id
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from changes
