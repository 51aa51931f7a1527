-- Changes of the person and account attributes features read (title, lead source, firmographics),
-- each with the value it replaced: the staging contract's point-in-time history. The connector
-- modes read the CRM's history tables (Salesforce field history, HubSpot property history); crm
-- mode has none, so features there read attributes as currently known. One row per change.
{%- set mode = var('leadscore_input_mode', 'crm') %}
with

changes as (

    {%- if mode in ('salesforce', 'hubspot') %}
    select * from {{ ref('stg_' ~ mode ~ '__attribute_changes') }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as entity_type,
        cast(null as {{ dbt.type_string() }}) as entity_id,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        cast(null as {{ dbt.type_string() }}) as value_before,
        cast(null as timestamp) as changed_at,
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as source_record_id
    where 1 = 0
    {%- endif %}

)

select
    cast(entity_type as {{ dbt.type_string() }}) as entity_type,
    {{ text_id('entity_id') }} as entity_id,
    cast(attribute_name as {{ dbt.type_string() }}) as attribute_name,
    cast(value_before as {{ dbt.type_string() }}) as value_before,
    cast(changed_at as timestamp) as changed_at,
    cast(source_table as {{ dbt.type_string() }}) as source_table,
    cast(source_record_id as {{ dbt.type_string() }}) as source_record_id
from changes
