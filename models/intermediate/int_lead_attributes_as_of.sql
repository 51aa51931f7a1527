-- The person and account attributes of a snapshot as they were at its as-of time, for every snapshot
-- whose attributes changed later (stg_crm__attribute_changes: the CRM's field or property history).
-- An attribute's value at time t is the value its first change after t replaced; with no change
-- after t it is the current value, which int_lead_features_as_of reads from staging. So a title a
-- rep edited, or a headcount enrichment rewrote, after the snapshot never reaches its features.
-- Values go through the staging contract's own cleaning (title parsing, category maps, ranges).
{%- set attributes = ['job_title', 'lead_source', 'industry', 'country', 'funding_stage', 'employee_count', 'annual_revenue'] %}
with

snapshots as (

    select
        lead_id,
        as_of_at
    from {{ ref('int_lead_snapshots') }}

),

leads as (

    select
        lead_id,
        account_id
    from {{ ref('int_leads_validated') }}
    where is_scorable

),

changes as (

    select * from {{ ref('stg_crm__attribute_changes') }}

),

later_changes as (

    -- A lead's own changes by its lead_id, its account's by its account_id (one join each, so
    -- both stay equality joins).
    {%- for entity_type, key in [('lead', 'lead_id'), ('account', 'account_id')] %}
    select
        snapshots.lead_id,
        snapshots.as_of_at,
        changes.attribute_name,
        changes.value_before,
        changes.changed_at
    from snapshots
    inner join leads on snapshots.lead_id = leads.lead_id
    inner join changes
        on
            changes.entity_type = {{ sql_literal(entity_type) }}
            and leads.{{ key }} = changes.entity_id
            and snapshots.as_of_at < changes.changed_at
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

ranked as (

    select
        *,
        nullif(trim(value_before), '') as value_then,
        row_number() over (
            partition by lead_id, as_of_at, attribute_name
            order by changed_at, value_before nulls last
        ) as change_number
    from later_changes

),

values_then as (

    select
        lead_id,
        as_of_at,
        {%- for attribute in attributes %}
        max(case when attribute_name = {{ sql_literal(attribute) }} then 1 else 0 end) = 1 as {{ attribute }}_changed_later,
        max(case when attribute_name = {{ sql_literal(attribute) }} then value_then end) as {{ attribute }}_then
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from ranked
    where change_number = 1
    group by lead_id, as_of_at

),

numbers_then as (

    select
        *,
        {{ connector_cast('employee_count_then', 'double') }} as employee_count_number,
        {{ connector_cast('annual_revenue_then', 'double') }} as annual_revenue_number
    from values_then

)

select
    lead_id,
    as_of_at,
    {%- for attribute in attributes %}
    {{ attribute }}_changed_later,
    {%- endfor %}
    {{ seniority_from_title('job_title_then') }} as seniority,
    {{ job_function_from_title('job_title_then') }} as job_function,
    {{ normalize_category('lead_source_then', 'lead_source') }} as lead_source,
    {{ normalize_category('industry_then', 'industry') }} as industry,
    {{ normalize_category('country_then', 'country') }} as country_code,
    {{ normalize_category('funding_stage_then', 'funding_stage') }} as funding_stage,
    {{ plausible_employee_count(bounded_bigint('employee_count_number')) }} as employee_count,
    {{ plausible_annual_revenue('annual_revenue_number') }} as annual_revenue_usd
from numbers_then
