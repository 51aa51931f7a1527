{#- The relations the scoring layer reads, whichever input mode built them. -#}
{% macro is_lead_table_mode() -%}
    {{ return(var('leadscore_input_mode', 'crm') == 'lead_table') }}
{%- endmacro %}

{% macro feature_mart() -%}
    {%- if lead_scoring.is_lead_table_mode() -%}
        {{ return(ref('lead_table_features')) }}
    {%- else -%}
        {{ return(ref('lead_features')) }}
    {%- endif -%}
{%- endmacro %}

{% macro training_mart() -%}
    {%- if lead_scoring.is_lead_table_mode() -%}
        {{ return(ref('lead_table_training_set')) }}
    {%- else -%}
        {{ return(ref('lead_training_set')) }}
    {%- endif -%}
{%- endmacro %}

{#- The lead_table description the CLI passes from leadscore.yml (see python/leadscore/byo/config.py). -#}
{% macro lead_table_config() -%}
    {%- set config = var('leadscore_lead_table', none) -%}
    {%- if config is string -%}{%- set config = fromjson(config) -%}{%- endif -%}  {#- JSON text: how sqlfluff passes it -#}
    {%- if config is none and lead_scoring.is_lead_table_mode() -%}
        {{ exceptions.raise_compiler_error("input_mode is lead_table but var leadscore_lead_table is not set: run through `leadscore --config <leadscore.yml>`") }}
    {%- endif -%}
    {{ return(config or {}) }}
{%- endmacro %}

{#- What monitoring watches: every scored snapshot with its features. CRM mode: the monthly history
    snapshots and the current run's open leads; lead_table mode: the current run only. -#}
{% macro monitored_snapshots() -%}
    {%- if lead_scoring.is_lead_table_mode() -%}
        {{ return('(select *, ' ~ lead_scoring.sql_literal('current') ~ ' as snapshot_kind from ' ~ ref('lead_table_features') ~ ' where is_open)') }}
    {%- else -%}
        {{ return('(select * from ' ~ ref('int_lead_features_as_of') ~ ' where snapshot_kind = ' ~ lead_scoring.sql_literal('history') ~ ' or is_open)') }}
    {%- endif -%}
{%- endmacro %}

{#- The CRM input modes: the native four tables (crm), or Salesforce / HubSpot as an ELT connector
    lands them. All three build the same staging contract (models/staging/crm/) and everything after. -#}
{% macro crm_input_modes() -%}
    {{ return(['crm', 'salesforce', 'hubspot']) }}
{%- endmacro %}

{% macro is_crm_mode() -%}
    {{ return(var('leadscore_input_mode', 'crm') in lead_scoring.crm_input_modes()) }}
{%- endmacro %}

{#- What the staging contract reads for one entity (accounts, leads, activities, opportunities): the
    raw CRM table in crm mode, or the connector room's conformed relation (same columns, same types)
    in salesforce and hubspot modes. -#}
{% macro crm_input(entity) -%}
    {%- set mode = var('leadscore_input_mode', 'crm') -%}
    {%- if mode in ('salesforce', 'hubspot') -%}
        {{ return(ref('stg_' ~ mode ~ '__' ~ entity)) }}
    {%- else -%}
        {{ return(source('crm', 'crm_' ~ entity)) }}
    {%- endif -%}
{%- endmacro %}
