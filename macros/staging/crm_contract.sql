{#- The native CRM tables' columns, under the names staging reads (docs/input_contract.md). The
    staging models select exactly these (through crm_columns), and check_crm_columns checks them
    before anything runs. -#}
{% macro crm_contract() -%}
    {{ return({
        'accounts': [
            'account_id', 'account_name', 'website_domain', 'industry', 'employee_count',
            'annual_revenue', 'country', 'funding_stage', 'uses_salesforce', 'uses_competitor',
            'created_at', '_loaded_at'
        ],
        'leads': [
            'lead_id', 'crm_record_id', 'account_id', 'email', 'job_title', 'lead_source',
            'created_at', '_loaded_at'
        ],
        'activities': ['activity_id', 'lead_id', 'activity_type', 'url_path', 'occurred_at', '_loaded_at'],
        'opportunities': [
            'opportunity_id', 'lead_id', 'account_id', 'created_at', 'stage', 'amount', 'closed_at',
            '_loaded_at'
        ],
    }) }}
{%- endmacro %}

{#- on-run-start, CRM mode: every raw table exists and has every contract column (or the column
    var leadscore_crm_columns maps it to). A renamed or dropped column is named here, with the
    table's columns and the var that maps it, before any unit test or model runs; otherwise the
    first thing to fail is a unit-test fixture or a "column not found" deep in staging. -#}
{% macro check_crm_columns() -%}
    {%- if var('leadscore_input_mode', 'crm') != 'crm' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set schema = var('leadscore_raw_schema', 'raw') -%}
    {%- set database = target.database if target.database is defined else none -%}
    {%- set problems = [] -%}
    {%- for entity, columns in lead_scoring.crm_contract().items() -%}
        {%- set identifier = var('leadscore_crm_tables', {}).get(entity, 'crm_' ~ entity) -%}
        {%- set relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
        {%- if relation is none -%}
            {%- do problems.append(
                schema ~ '.' ~ identifier ~ " (the CRM's " ~ entity ~ ") does not exist: load it there, or name "
                ~ 'your table with var leadscore_crm_tables: {' ~ entity ~ ': <your table>} (and '
                ~ 'leadscore_raw_schema for its schema).'
            ) -%}
        {%- else -%}
            {%- set found = [] -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do found.append(column.name | lower) -%}
            {%- endfor -%}
            {%- set mapping = var('leadscore_crm_columns', {}).get(entity, {}) -%}
            {%- set missing = [] -%}
            {%- set unmatched = [] -%}
            {%- for column in columns -%}
                {%- if (mapping.get(column, column) | lower) not in found -%}
                    {%- do missing.append(column ~ (' (mapped to ' ~ mapping[column] ~ ')' if column in mapping else '')) -%}
                    {%- do unmatched.append(column) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if missing -%}
                {%- do problems.append(
                    schema ~ '.' ~ identifier ~ ' has no column ' ~ missing | join(', ')
                    ~ ': renamed or dropped in the extract. Its columns: ' ~ found | join(', ')
                    ~ '. Map yours with var leadscore_crm_columns: {' ~ entity ~ ': {' ~ unmatched[0]
                    ~ ': <your column>, ...}}, or fix the extract.'
                ) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            'leadscore: the CRM tables do not match the input contract (docs/input_contract.md), so nothing '
            ~ 'was built:\n  - ' ~ problems | join('\n  - ') ~ '\nThen run dbt build again.'
        ) }}
    {%- endif -%}
{%- endmacro %}
