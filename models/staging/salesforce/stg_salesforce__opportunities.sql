-- Salesforce conversions in the staging contract's opportunity shape (raw crm_opportunities
-- columns). var leadscore_salesforce_conversion:
--   opportunity (default): an opportunity reaches a person through the lead that converted into it
--     (ConvertedOpportunityId), a contact role (OpportunityContactRole) or its ContactId; one row per
--     (opportunity, person); an opportunity no person reaches keeps a NULL lead_id, flagged by
--     staging as unlinked; var leadscore_salesforce_opportunity_record_types keeps only those types;
--   lead_converted: the lead's ConvertedDate is the conversion (with its opportunity's stage and
--     amount when it has one).
{%- set record_types = var('leadscore_salesforce_opportunity_record_types', none) %}
with

opportunities as (

    select * from {{ ref('base_salesforce__opportunity') }}
    where
        not is_removed
        and not is_inactive_version
    {%- if record_types %}
        and record_type_id in {{ sql_literal_list(record_types) }}
        {%- endif %}

),

leads as (

    select * from {{ ref('base_salesforce__lead') }}
    where not is_removed and not is_inactive_version

),

contact_roles as (

    select * from {{ ref('base_salesforce__opportunity_contact_role') }}
    where not is_removed and not is_inactive_version

),

person_records as (

    select distinct
        record_id,
        person_id
    from {{ ref('stg_salesforce__person_records') }}
    where person_id is not null

),

{%- if var('leadscore_salesforce_conversion', 'opportunity') == 'lead_converted' %}

conversions as (

    select
        'lead_conversion:' || leads.id as opportunity_id,
        person_records.person_id as lead_id,
        opportunities.account_id,
        leads.converted_date as created_at,
        opportunities.is_won,
        opportunities.is_closed,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.close_date,
        leads.synced_at,
        'lead' as source_table,
        leads.id as source_record_id
    from leads
    inner join person_records on leads.id = person_records.record_id
    left join opportunities on leads.converted_opportunity_id = opportunities.id
    where coalesce(leads.is_converted, false) or leads.converted_date is not null

),

{%- else %}

links as (

    select
        converted_opportunity_id as opportunity_id,
        id as record_id
    from leads
    where converted_opportunity_id is not null
    union all
    select
        opportunity_id,
        contact_id as record_id
    from contact_roles
    union all
    select
        id as opportunity_id,
        contact_id as record_id
    from opportunities
    where contact_id is not null

),

people_reached as (

    select distinct
        links.opportunity_id,
        person_records.person_id
    from links
    inner join person_records on links.record_id = person_records.record_id

),

conversions as (

    select
        case
            when count(*) over (partition by opportunities.id) > 1
                then opportunities.id || '/' || people_reached.person_id
            else opportunities.id
        end as opportunity_id,
        people_reached.person_id as lead_id,
        opportunities.account_id,
        opportunities.created_date as created_at,
        opportunities.is_won,
        opportunities.is_closed,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.close_date,
        opportunities.synced_at,
        'opportunity' as source_table,
        opportunities.id as source_record_id
    from opportunities
    left join people_reached on opportunities.id = people_reached.opportunity_id

),

{%- endif %}

staged as (

    select
        opportunity_id,
        lead_id,
        account_id,
        created_at,
        case
            when is_won then 'Closed Won'
            when is_closed then 'Closed Lost'
            when is_closed = false then 'Open'
            when lower(stage_name) in ('closed won', 'closed lost') then stage_name
            when stage_name is not null or created_at is not null then 'Open'
        end as stage,  -- noqa: RF04
        amount,
        case when coalesce(is_closed, is_won, false) then close_date end as closed_at,
        synced_at as _loaded_at,
        source_table,
        source_record_id
    from conversions

)

select * from staged
