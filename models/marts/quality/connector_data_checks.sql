{{ config(enabled=var('leadscore_input_mode', 'crm') in ['salesforce', 'hubspot']) }}
-- What is wrong in the connector's tables, counted before the staging contract: ids landed twice,
-- values that do not read as their type (a timestamp in text the warehouse cannot parse), a contact
-- that two leads converted into, conversions (opportunities, deals) that reach no person, records
-- whose attributes are read as currently known because no history of them landed. One row
-- per (table, column, check) with the failing rows, the rows checked and what to do; the warn test
-- on failing_rows names each failing one. The rows themselves stay: the staging contract flags and
-- counts them again (quality.data_quality_scorecard, quality.lead_accounting).
{%- set connector = var('leadscore_input_mode', 'crm') %}
{%- set tables = connector_tables(connector) %}
{%- set keys = {
    'salesforce': {'lead': 'id', 'contact': 'id', 'account': 'id', 'opportunity': 'id', 'task': 'id', 'event': 'id', 'campaign_member': 'id'},
    'hubspot': {'contact': 'id', 'company': 'id', 'deal': 'deal_id', 'email_event': 'id'},
}[connector] %}
{%- set conversion_table = 'opportunity' if connector == 'salesforce' else 'deal' %}
{%- set what_to_do = {
    'unreadable': "values landed that do not read as this column's type: they are NULL for leadscore. Fix the extract, or map another column with var leadscore_connector_columns",
    'duplicate': "ids landed more than once: staging keeps every row and flags all but the newest. Check the connector's history mode and deletes",
    'converted_twice': "two leads converted into one contact: each lead stays its own person, the contact's touches count for the first. Merge the leads in the CRM",
    'reaches_no_person': 'conversions no lead or contact is associated with: they cannot label anyone. Associate them in the CRM (contact roles, deal contacts)',
    'no_history': "no history of these records landed: their titles, sources and firmographics are read as currently known, so an edit made after a snapshot (at conversion, say) reaches the snapshot's features. Sync " ~ ('LeadHistory and AccountHistory (turn on field history tracking for Title, LeadSource, Industry, NumberOfEmployees, AnnualRevenue, Country)' if connector == 'salesforce' else 'contact_property_history and company_property_history') ~ ', or leave fields your reps edit out with var leadscore_connector_columns (docs/input_contract.md)',
} %}
{#- History tables whose absence the checks report, with the records they would cover. -#}
{%- set history_parents = {'salesforce': {'lead_history': 'lead', 'account_history': 'account'},
    'hubspot': {'contact_property_history': 'contact', 'company_property_history': 'company'}}[connector] %}
with

{%- for table, spec in tables.items() %}

counts_{{ table }} as (

    select
        {%- for name, kind, candidates, required in spec.columns if kind != 'text' %}
        sum(case when dq_{{ name }}__unreadable then 1 else 0 end) as unreadable_{{ name }},
        {%- endfor %}
        {%- if table in keys %}
        count(*) - count(distinct {{ keys[table] }}) as duplicate_{{ keys[table] }},
        {%- endif %}
        count(*) as total_rows
    from {{ ref('base_' ~ connector ~ '__' ~ table) }}
    where not is_removed and not is_inactive_version

),

{%- endfor %}

{%- if connector == 'salesforce' %}

converted_twice as (

    select
        count(*) as failing_rows,
        max(total_rows) as total_rows
    from (
        select
            converted_contact_id,
            count(*) over () as total_rows,
            count(*) over (partition by converted_contact_id) as converting_leads
        from {{ ref('base_salesforce__lead') }}
        where not is_removed and not is_inactive_version and master_record_id is null
    ) as conversions
    where converted_contact_id is not null and converting_leads > 1

),

{%- endif %}

unlinked_conversions as (

    select
        sum(case when lead_id is null then 1 else 0 end) as failing_rows,
        count(*) as total_rows
    from {{ ref('stg_' ~ connector ~ '__opportunities') }}

),

checks as (

    {%- for table, spec in tables.items() %}
    {%- for name, kind, candidates, required in spec.columns if kind != 'text' %}
    select
        {{ sql_literal(table) }} as table_name,
        {{ sql_literal(name) }} as column_name,
        'unreadable' as check_name,
        coalesce(unreadable_{{ name }}, 0) as failing_rows,
        total_rows
    from counts_{{ table }}
    union all
    {%- endfor %}
    {%- if table in keys %}
    select
        {{ sql_literal(table) }} as table_name,
        {{ sql_literal(keys[table]) }} as column_name,
        'duplicate' as check_name,
        coalesce(duplicate_{{ keys[table] }}, 0) as failing_rows,
        total_rows
    from counts_{{ table }}
    union all
    {%- endif %}
    {%- endfor %}
    {%- for history_table, parent in history_parents.items() %}
    select
        {{ sql_literal(history_table) }} as table_name,
        {{ sql_literal('field' if connector == 'salesforce' else 'property_name') }} as column_name,
        'no_history' as check_name,
        case when counts_{{ history_table }}.total_rows = 0 then counts_{{ parent }}.total_rows else 0 end as failing_rows,
        counts_{{ parent }}.total_rows as total_rows
    from counts_{{ history_table }}
    cross join counts_{{ parent }}
    union all
    {%- endfor %}
    {%- if connector == 'salesforce' %}
    select
        'lead' as table_name,
        'converted_contact_id' as column_name,
        'converted_twice' as check_name,
        coalesce(failing_rows, 0) as failing_rows,
        coalesce(total_rows, 0) as total_rows
    from converted_twice
    union all
    {%- endif %}
    select
        {{ sql_literal(conversion_table) }} as table_name,
        {{ sql_literal('id' if connector == 'salesforce' else 'deal_id') }} as column_name,
        'reaches_no_person' as check_name,
        coalesce(failing_rows, 0) as failing_rows,
        total_rows
    from unlinked_conversions

)

select
    table_name,
    column_name,
    check_name,
    cast(failing_rows as bigint) as failing_rows,
    cast(total_rows as bigint) as total_rows,
    case check_name
        {%- for check_name, message in what_to_do.items() %}
        when {{ sql_literal(check_name) }} then {{ sql_literal(message) }}
        {%- endfor %}
    end as what_to_do
from checks
