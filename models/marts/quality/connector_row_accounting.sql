{{ config(enabled=var('leadscore_input_mode', 'crm') in ['salesforce', 'hubspot']) }}
-- Every row the connector landed, accounted for: staged (it reached the staging contract, where
-- quality.lead_accounting and the data-quality flags take over), merged into another record,
-- ignored with its reason, a link that connects other rows, or lost (a bug: the test on this model
-- fails). One row per (source table, outcome, reason) with the row count.
{%- set connector = var('leadscore_input_mode', 'crm') %}
{%- set staged_relations = ['leads', 'accounts', 'activities', 'opportunities', 'attribute_changes'] %}
with

staged as (

    {%- for entity in staged_relations %}
    select distinct
        source_table,
        source_record_id
    from {{ ref('stg_' ~ connector ~ '__' ~ entity) }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}

),

{%- set rules = connector_accounting_rules(connector) %}
{%- for table, rule in rules.items() %}

staged_{{ table }} as (

    select distinct source_record_id
    from staged
    where source_table = {{ sql_literal(table) }}

),

accounted_{{ table }} as (

    select
        {{ sql_literal(table) }} as source_table,
        case
            when staged.source_record_id is not null then 'staged'
            {%- for condition, outcome, reason in rule.reasons %}
            when {{ condition }} then {{ sql_literal(outcome) }}
            {%- endfor %}
            else 'lost'
        end as outcome,
        case
            when staged.source_record_id is not null then 'reached the staging contract'
            {%- for condition, outcome, reason in rule.reasons %}
            when {{ condition }} then {{ sql_literal(reason) }}
            {%- endfor %}
            else 'neither staged nor ignored for a known reason'
        end as reason
    from {{ ref('base_' ~ connector ~ '__' ~ table) }}
    left join staged_{{ table }} as staged on {{ rule.key }} = staged.source_record_id

),

{%- endfor %}

accounted as (

    {%- for table in rules %}
    select * from accounted_{{ table }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select
    source_table,
    outcome,
    reason,
    count(*) as source_rows
from accounted
group by source_table, outcome, reason
