{{ config(
    enabled=var('leadscore_input_mode', 'crm') in ['crm', 'salesforce', 'hubspot'],
    meta={'fix': 'select * from quality.lead_accounting where outcome = \'unscored\' shows the leads and the reason; a lead lost between stages is a bug in the project, please report it.'}
) }}
-- Every raw lead row has exactly one row in lead_accounting, and none was lost between stages: a
-- scorable lead reaches lead_features and lead_scores, and a scored lead with its own CRM record
-- id reaches the CRM feed. Each failing row names the stage and the count.
with

raw_leads as (

    select count(*) as raw_rows from {{ crm_input('leads') }}

),

accounting as (

    select * from {{ ref('lead_accounting') }}

),

row_count as (

    select
        'lead_accounting has ' || cast(count(*) as {{ dbt.type_string() }}) || ' rows for '
        || cast(max(raw_leads.raw_rows) as {{ dbt.type_string() }}) || ' raw rows' as problem,
        abs(count(*) - max(raw_leads.raw_rows)) as lead_rows
    from accounting
    cross join raw_leads
    having count(*) <> max(raw_leads.raw_rows)

),

lost as (

    select
        'lost: ' || reason as problem,
        count(*) as lead_rows
    from accounting
    where
        outcome = 'unscored'
        and reason in (
            'scored but missing from crm_lead_sync',
            'has features but no score',
            'scorable but missing from lead_features'
        )
    group by reason

)

select * from row_count
union all
select * from lost
