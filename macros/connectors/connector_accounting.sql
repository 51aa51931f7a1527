{#- What quality.connector_row_accounting checks, per connector table: the key that names a landed
    row, and the reasons a row is not staged (in order; the first that holds is the row's reason).
    A row that is neither staged nor has a reason is 'lost': the test on that model fails. Link
    tables (associations, lookups) are read to connect other rows and are counted as such. -#}
{% macro connector_accounting_rules(connector) -%}
    {%- set removed = [
        ['is_removed', 'ignored', 'deleted in the CRM (IsDeleted / _fivetran_deleted)'],
        ['is_inactive_version', 'ignored', 'an inactive history version (_fivetran_active = false)'],
    ] -%}
    {%- set history_reasons = lead_scoring.history_accounting_reasons -%}
    {%- if connector == 'salesforce' -%}
        {%- set record_types = var('leadscore_salesforce_opportunity_record_types', none) -%}
        {%- set lead_converted = var('leadscore_salesforce_conversion', 'opportunity') == 'lead_converted' -%}
        {{ return({
            'lead': {'key': 'id', 'reasons': removed + [
                ["master_record_id is not null", 'merged', 'merged into its MasterRecordId: its touches count for that person'],
            ]},
            'contact': {'key': 'id', 'reasons': removed + [
                ["master_record_id is not null", 'merged', 'merged into its MasterRecordId: its touches count for that person'],
                ["id in (select record_id from " ~ ref('stg_salesforce__person_records') ~ " where outcome = 'converted_from_lead')", 'merged', 'the contact a lead converted into: the same person as that lead'],
            ]},
            'account': {'key': 'id', 'reasons': removed + [
                ["master_record_id is not null", 'ignored', 'merged into its MasterRecordId'],
            ]},
            'opportunity': {'key': 'id', 'reasons': removed + (
                [['true', 'link', 'read for stage and amount: conversion is the lead\'s ConvertedDate (leadscore_salesforce_conversion)']] if lead_converted else []
            ) + (
                [["coalesce(record_type_id not in " ~ sql_literal_list(record_types) ~ ", true)", 'ignored', 'record type not in leadscore_salesforce_opportunity_record_types']] if record_types else []
            )},
            'opportunity_contact_role': {'key': 'id', 'reasons': removed + [['true', 'link', 'links an opportunity to a person']]},
            'task': {'key': 'id', 'reasons': removed},
            'event': {'key': 'id', 'reasons': removed},
            'campaign_member': {'key': 'id', 'reasons': removed + [
                ['not coalesce(has_responded, false)', 'ignored', 'a campaign member who did not respond is no touch'],
            ]},
            'campaign': {'key': 'id', 'reasons': removed + [['true', 'link', 'its Type names the activity of its responses']]},
            'lead_history': {'key': 'id', 'reasons': removed + history_reasons('lead_history') + [
                ['true', 'ignored', 'its lead is no person (deleted or merged), or a firmographic field of a lead whose firmographics come from its account lookup'],
            ]},
            'contact_history': {'key': 'id', 'reasons': removed + history_reasons('contact_history') + [
                ['true', 'ignored', 'its contact is no person of its own (a lead converted into it, merged or deleted): the lead\'s history is read'],
            ]},
            'account_history': {'key': 'id', 'reasons': removed + history_reasons('account_history') + [
                ['true', 'ignored', 'its account is deleted or merged'],
            ]},
        }) }}
    {%- else -%}
        {%- set deal_mode = var('leadscore_hubspot_conversion', 'deal') == 'deal' -%}
        {%- set pipelines = var('leadscore_hubspot_deal_pipelines', none) -%}
        {%- set engagement_types = (var('leadscore_hubspot_engagement_activity_types', {}) or {}).keys() | map('upper') | list -%}
        {%- set email_types = (var('leadscore_hubspot_email_event_activity_types', {}) or {}).keys() | map('upper') | list -%}
        {%- set link = [['true', 'link', 'read to connect other rows']] -%}
        {{ return({
            'contact': {'key': 'id', 'reasons': removed + [
                ["id in (select record_id from " ~ ref('stg_hubspot__person_records') ~ " where outcome = 'merged')", 'merged', 'merged into another contact: its touches count for that person'],
            ]},
            'company': {'key': 'id', 'reasons': removed},
            'contact_company': {'key': "contact_id || ':' || company_id", 'reasons': removed + link},
            'deal': {'key': 'deal_id', 'reasons': removed + (
                [] if deal_mode else [['true', 'ignored', 'conversion is a lifecycle-stage date (leadscore_hubspot_conversion)']]
            ) + (
                [["coalesce(deal_pipeline_id not in " ~ sql_literal_list(pipelines) ~ ", true)", 'ignored', 'pipeline not in leadscore_hubspot_deal_pipelines']] if pipelines else []
            )},
            'deal_contact': {'key': "deal_id || ':' || contact_id", 'reasons': removed + link},
            'deal_pipeline_stage': {'key': 'stage_id', 'reasons': removed + link},
            'engagement': {'key': 'id', 'reasons': removed + link},
            'engagement_contact': {'key': "engagement_id || ':' || contact_id", 'reasons': removed + [
                ["engagement_id in (select engagement_id from " ~ ref('base_hubspot__engagement_email') ~ " where is_removed union all select engagement_id from " ~ ref('base_hubspot__engagement_call') ~ " where is_removed union all select engagement_id from " ~ ref('base_hubspot__engagement_meeting') ~ " where is_removed)", 'ignored', 'the engagement was deleted'],
                ['true', 'ignored', 'engagement type not a touch (not in leadscore_hubspot_engagement_activity_types: ' ~ engagement_types | join(', ') ~ ')'],
            ]},
            'engagement_email': {'key': 'engagement_id', 'reasons': removed + link},
            'engagement_call': {'key': 'engagement_id', 'reasons': removed + link},
            'engagement_meeting': {'key': 'engagement_id', 'reasons': removed + link},
            'engagement_note': {'key': 'engagement_id', 'reasons': removed + [['true', 'ignored', 'a note is no touch']]},
            'engagement_task': {'key': 'engagement_id', 'reasons': removed + [['true', 'ignored', 'a task is no touch']]},
            'contact_form_submission': {'key': "coalesce(conversion_id, contact_id || ':' || cast(submitted_at as " ~ dbt.type_string() ~ "))", 'reasons': removed},
            'email_event': {'key': 'id', 'reasons': removed + [
                ["coalesce(upper(type) not in " ~ sql_literal_list(email_types or ['-']) ~ ", true)", 'ignored', 'e-mail event type not a touch (not in leadscore_hubspot_email_event_activity_types)'],
                ['true', 'ignored', 'the recipient is no live contact\'s e-mail'],
            ]},
            'contact_merge_audit': {'key': "canonical_id || ':' || merged_id", 'reasons': removed + link},
            'contact_property_history': {'key': lead_scoring.hubspot_history_key('parent_id'), 'reasons': removed + history_reasons('contact_property_history') + [
                ['true', 'ignored', 'its contact is no person (merged or deleted)'],
            ]},
            'company_property_history': {'key': lead_scoring.hubspot_history_key('parent_id'), 'reasons': removed + history_reasons('company_property_history') + [
                ['true', 'ignored', 'its company is deleted'],
            ]},
        }) }}
    {%- endif -%}
{%- endmacro %}

{#- Why a history row is not read, before the table's own reason: no time, or a field not read. -#}
{% macro history_accounting_reasons(history_table) -%}
    {%- set connector = 'salesforce' if history_table in lead_scoring.connector_history_tables('salesforce') else 'hubspot' -%}
    {{ return([
        ['changed_at is null', 'ignored', 'the change has no time (CreatedDate / timestamp)'],
        [lead_scoring.history_field_attribute(connector, history_table, 'field' if connector == 'salesforce' else 'property_name') ~ ' is null', 'ignored', 'a field leadscore does not read'],
    ]) }}
{%- endmacro %}
