{#- The HubSpot tables leadscore reads, as Fivetran's hubspot connector names them (see its public
    dbt_hubspot package). Contact and company properties are tried as property_<name> (Fivetran),
    properties_<name> (Airbyte) and <name>. Each column: [name, type, names tried, required]. -#}
{% macro hubspot_property(name) -%}
    {{ return(['property_' ~ name, 'properties_' ~ name, name]) }}
{%- endmacro %}

{#- The removal, history and load-time columns every HubSpot table may carry. -#}
{% macro hubspot_connector_columns() -%}
    {{ return([
        ['is_deleted', 'boolean', ['is_deleted', 'archived'], false],
        ['connector_deleted', 'boolean', ['_fivetran_deleted', '_ab_cdc_deleted', '_sdc_deleted'], false],
        ['is_active_version', 'boolean', ['_fivetran_active'], false],
        ['synced_at', 'timestamp', ['_fivetran_synced', '_airbyte_extracted_at', '_airbyte_emitted_at', '_sdc_batched_at'], false],
    ]) }}
{%- endmacro %}

{% macro hubspot_property_history_columns(parent_id) -%}
    {{ return([
        ['parent_id', 'text', [parent_id], true],
        ['property_name', 'text', ['name', 'property_name'], true],
        ['property_value', 'text', ['value', 'property_value'], false],
        ['changed_at', 'timestamp', ['timestamp', 'change_timestamp'], true],
    ] + lead_scoring.hubspot_connector_columns()) }}
{%- endmacro %}

{% macro hubspot_tables() -%}
    {%- set p = lead_scoring.hubspot_property -%}
    {%- set common = lead_scoring.hubspot_connector_columns() -%}
    {#- A property's values over time, one row per value it took (Fivetran's
        contact_property_history / company_property_history); read for point-in-time features. -#}
    {%- set property_history = lead_scoring.hubspot_property_history_columns -%}
    {%- set engagement = [
        ['engagement_id', 'text', ['engagement_id', 'id'], true],
        ['occurred_at', 'timestamp', p('hs_timestamp') + ['timestamp', 'start_time'], false],
    ] + common -%}
    {{ return({
        'contact': {'required': true, 'columns': [
            ['id', 'text', ['id', 'vid', 'contact_id'], true],
            ['email', 'text', p('email'), false],
            ['job_title', 'text', p('jobtitle'), false],
            ['lead_source', 'text', p('hs_analytics_source'), false],
            ['company_id', 'text', p('associatedcompanyid'), false],
            ['created_at', 'timestamp', p('createdate') + p('created_at'), true],
            ['merged_object_ids', 'text', p('hs_merged_object_ids'), false],
            ['salesqualifiedlead_at', 'timestamp', p('hs_lifecyclestage_salesqualifiedlead_date'), false],
            ['opportunity_at', 'timestamp', p('hs_lifecyclestage_opportunity_date'), false],
            ['customer_at', 'timestamp', p('hs_lifecyclestage_customer_date'), false],
        ] + common},
        'company': {'required': false, 'columns': [
            ['id', 'text', ['id', 'company_id'], true],
            ['name', 'text', p('name'), false],
            ['domain', 'text', p('domain') + p('website'), false],
            ['industry', 'text', p('industry'), false],
            ['number_of_employees', 'double', p('numberofemployees'), false],
            ['annual_revenue', 'double', p('annualrevenue'), false],
            ['country', 'text', p('country'), false],
            ['funding_stage', 'text', p('funding_stage'), false],
            ['uses_salesforce', 'boolean', p('uses_salesforce'), false],
            ['uses_competitor', 'boolean', p('uses_competitor'), false],
            ['created_at', 'timestamp', p('createdate'), false],
        ] + common},
        'contact_company': {'required': false, 'columns': [
            ['contact_id', 'text', ['contact_id', 'from_id'], true],
            ['company_id', 'text', ['company_id', 'to_id'], true],
            ['type_id', 'text', ['type_id'], false],
        ] + common},
        'deal': {'required': false, 'columns': [
            ['deal_id', 'text', ['deal_id', 'id'], true],
            ['deal_pipeline_id', 'text', ['deal_pipeline_id'] + p('pipeline'), false],
            ['deal_pipeline_stage_id', 'text', ['deal_pipeline_stage_id'] + p('dealstage'), false],
            ['amount', 'double', p('amount'), false],
            ['created_at', 'timestamp', p('createdate'), true],
            ['closed_at', 'timestamp', p('closedate'), false],
        ] + common},
        'deal_contact': {'required': false, 'columns': [
            ['contact_id', 'text', ['contact_id'], true],
            ['deal_id', 'text', ['deal_id'], true],
        ] + common},
        'deal_pipeline_stage': {'required': false, 'columns': [
            ['stage_id', 'text', ['stage_id', 'id'], true],
            ['is_closed_won', 'boolean', ['closed_won'], false],
            ['is_closed', 'boolean', ['is_closed'], false],
            ['probability', 'double', ['probability'], false],
        ] + common},
        'engagement': {'required': false, 'columns': [
            ['id', 'text', ['id', 'engagement_id'], true],
            ['type', 'text', ['type', 'engagement_type'], false],
        ] + common},
        'engagement_contact': {'required': false, 'columns': [
            ['contact_id', 'text', ['contact_id'], true],
            ['engagement_id', 'text', ['engagement_id'], true],
        ] + common},
        'engagement_email': {'required': false, 'columns': engagement},
        'engagement_call': {'required': false, 'columns': engagement},
        'engagement_meeting': {'required': false, 'columns': engagement},
        'engagement_note': {'required': false, 'columns': engagement},
        'engagement_task': {'required': false, 'columns': engagement},
        'contact_form_submission': {'required': false, 'columns': [
            ['contact_id', 'text', ['contact_id'], true],
            ['conversion_id', 'text', ['conversion_id'], false],
            ['form_id', 'text', ['form_id'], false],
            ['title', 'text', ['title'], false],
            ['page_url', 'text', ['page_url'], false],
            ['submitted_at', 'timestamp', ['timestamp'], true],
        ] + common},
        'email_event': {'required': false, 'columns': [
            ['id', 'text', ['id'], true],
            ['type', 'text', ['type'], false],
            ['recipient', 'text', ['recipient'], false],
            ['created_at', 'timestamp', ['created'], false],
        ] + common},
        'contact_merge_audit': {'required': false, 'columns': [
            ['canonical_id', 'text', ['canonical_vid'], true],
            ['merged_id', 'text', ['vid_to_merge'], true],
            ['merged_at', 'timestamp', ['timestamp'], false],
        ] + common},
        'contact_property_history': {'required': false, 'columns': property_history('contact_id')},
        'company_property_history': {'required': false, 'columns': property_history('company_id')},
    }) }}
{%- endmacro %}
