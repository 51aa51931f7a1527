-- HubSpot conversions in the staging contract's opportunity shape (raw crm_opportunities columns).
-- var leadscore_hubspot_conversion:
--   deal (default): a deal associated with the contact through deal_contact, one row per (deal,
--     person); stage from deal_pipeline_stage (closed won, closed lost, open); a deal no contact is
--     associated with keeps a NULL lead_id, flagged by staging; var leadscore_hubspot_deal_pipelines
--     keeps only those pipelines;
--   salesqualifiedlead / opportunity / customer: the contact's hs_lifecyclestage_<stage>_date.
{%- set conversion = var('leadscore_hubspot_conversion', 'deal') %}
{%- set pipelines = var('leadscore_hubspot_deal_pipelines', none) %}
with

person_records as (

    select distinct
        record_id,
        person_id
    from {{ ref('stg_hubspot__person_records') }}
    where person_id is not null

),

{%- if conversion == 'deal' %}

deals as (

    select * from {{ ref('base_hubspot__deal') }}
    where
        not is_removed
        and not is_inactive_version
    {%- if pipelines %}
        and deal_pipeline_id in {{ sql_literal_list(pipelines) }}
        {%- endif %}

),

stages as (

    select * from {{ ref('base_hubspot__deal_pipeline_stage') }}
    where not is_removed and not is_inactive_version

),

people_reached as (

    select distinct
        deal_contact.deal_id,
        person_records.person_id
    from {{ ref('base_hubspot__deal_contact') }} as deal_contact
    inner join person_records on deal_contact.contact_id = person_records.record_id
    where not deal_contact.is_removed and not deal_contact.is_inactive_version

),

conversions as (

    select
        case
            when count(*) over (partition by deals.deal_id) > 1 then deals.deal_id || '/' || people_reached.person_id
            else deals.deal_id
        end as opportunity_id,
        people_reached.person_id as lead_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        deals.created_at,
        case
            when stages.is_closed_won then 'Closed Won'
            when stages.is_closed or stages.probability = 0 then 'Closed Lost'
            else 'Open'
        end as stage,  -- noqa: RF04
        deals.amount,
        case when stages.is_closed_won or stages.is_closed or stages.probability = 0 then deals.closed_at end as closed_at,
        deals.synced_at as _loaded_at,
        'deal' as source_table,
        deals.deal_id as source_record_id
    from deals
    left join people_reached on deals.deal_id = people_reached.deal_id
    left join stages on deals.deal_pipeline_stage_id = stages.stage_id

)

{%- else %}

conversions as (

    select
        'lifecycle:' || contacts.id as opportunity_id,
        person_records.person_id as lead_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        contacts.{{ conversion }}_at as created_at,
        case when contacts.customer_at is not null then 'Closed Won' else 'Open' end as stage,  -- noqa: RF04
        cast(null as {{ type_double() }}) as amount,
        contacts.customer_at as closed_at,
        contacts.synced_at as _loaded_at,
        'contact' as source_table,
        contacts.id as source_record_id
    from {{ ref('base_hubspot__contact') }} as contacts
    inner join person_records on contacts.id = person_records.record_id and contacts.id = person_records.person_id
    where contacts.{{ conversion }}_at is not null and not contacts.is_removed and not contacts.is_inactive_version

)

{%- endif %}

select * from conversions
