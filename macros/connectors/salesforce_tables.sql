{#- The Salesforce objects leadscore reads, as Fivetran's salesforce connector names them (see its
    public dbt_salesforce package); Airbyte's and Stitch's CamelCase names (WhoId, IsDeleted,
    Account__c) match the same entries. Each column: [name, type, names tried, required].

    Custom fields a host maps with vars:
      leadscore_salesforce_lead_account_field: a lookup from Lead to Account before conversion
        (lead-to-account matching tools write one; e.g. account_c); null: a lead's firmographics come
        from its own Company, Industry, NumberOfEmployees, AnnualRevenue and Country fields;
      leadscore_salesforce_url_field: the page or asset URL of a marketing touch logged as a Task;
      leadscore_connector_columns: {salesforce: {account: {funding_stage: Funding_Round__c}}}. -#}
{% macro salesforce_connector_columns() -%}
    {{ return([
        ['is_deleted', 'boolean', ['is_deleted'], false],
        ['connector_deleted', 'boolean', ['_fivetran_deleted', '_ab_cdc_deleted', '_sdc_deleted'], false],
        ['is_active_version', 'boolean', ['_fivetran_active'], false],
        ['synced_at', 'timestamp', ['_fivetran_synced', '_airbyte_extracted_at', '_airbyte_emitted_at', '_sdc_batched_at', 'system_modstamp'], false],
    ]) }}
{%- endmacro %}

{% macro salesforce_field_history_columns(parent_id) -%}
    {{ return([
        ['id', 'text', ['id'], true],
        ['parent_id', 'text', [parent_id], true],
        ['field', 'text', ['field'], true],
        ['old_value', 'text', ['old_value'], false],
        ['changed_at', 'timestamp', ['created_date'], true],
    ] + lead_scoring.salesforce_connector_columns()) }}
{%- endmacro %}

{% macro salesforce_tables() -%}
    {%- set common = lead_scoring.salesforce_connector_columns() -%}
    {%- set lead_account_field = var('leadscore_salesforce_lead_account_field', none) -%}
    {%- set url_field = var('leadscore_salesforce_url_field', 'url_c') -%}
    {#- Field history tracking (LeadHistory, ContactHistory, AccountHistory): one row per change of a
        tracked field, with the value before it; read for point-in-time features. -#}
    {%- set field_history = lead_scoring.salesforce_field_history_columns -%}
    {{ return({
        'lead': {'required': true, 'columns': [
            ['id', 'text', ['id'], true],
            ['master_record_id', 'text', ['master_record_id'], false],
            ['email', 'text', ['email'], false],
            ['title', 'text', ['title'], false],
            ['lead_source', 'text', ['lead_source'], false],
            ['company', 'text', ['company'], false],
            ['website', 'text', ['website'], false],
            ['industry', 'text', ['industry'], false],
            ['number_of_employees', 'double', ['number_of_employees'], false],
            ['annual_revenue', 'double', ['annual_revenue'], false],
            ['country', 'text', ['country', 'country_code'], false],
            ['matched_account_id', 'text', [lead_account_field] if lead_account_field else [], false],
            ['created_date', 'timestamp', ['created_date'], true],
            ['is_converted', 'boolean', ['is_converted'], false],
            ['converted_date', 'timestamp', ['converted_date'], false],
            ['converted_contact_id', 'text', ['converted_contact_id'], false],
            ['converted_account_id', 'text', ['converted_account_id'], false],
            ['converted_opportunity_id', 'text', ['converted_opportunity_id'], false],
        ] + common},
        'contact': {'required': false, 'columns': [
            ['id', 'text', ['id'], true],
            ['master_record_id', 'text', ['master_record_id'], false],
            ['account_id', 'text', ['account_id'], false],
            ['email', 'text', ['email'], false],
            ['title', 'text', ['title'], false],
            ['lead_source', 'text', ['lead_source'], false],
            ['created_date', 'timestamp', ['created_date'], true],
        ] + common},
        'account': {'required': true, 'columns': [
            ['id', 'text', ['id'], true],
            ['master_record_id', 'text', ['master_record_id'], false],
            ['name', 'text', ['name'], false],
            ['website', 'text', ['website'], false],
            ['industry', 'text', ['industry'], false],
            ['number_of_employees', 'double', ['number_of_employees'], false],
            ['annual_revenue', 'double', ['annual_revenue'], false],
            ['country', 'text', ['billing_country', 'billing_country_code', 'shipping_country'], false],
            ['funding_stage', 'text', ['funding_stage_c'], false],
            ['uses_salesforce', 'boolean', ['uses_salesforce_c'], false],
            ['uses_competitor', 'boolean', ['uses_competitor_c'], false],
            ['created_date', 'timestamp', ['created_date'], false],
        ] + common},
        'opportunity': {'required': true, 'columns': [
            ['id', 'text', ['id'], true],
            ['account_id', 'text', ['account_id'], false],
            ['contact_id', 'text', ['contact_id'], false],
            ['record_type_id', 'text', ['record_type_id'], false],
            ['stage_name', 'text', ['stage_name'], false],
            ['is_won', 'boolean', ['is_won'], false],
            ['is_closed', 'boolean', ['is_closed'], false],
            ['amount', 'double', ['amount'], false],
            ['created_date', 'timestamp', ['created_date'], true],
            ['close_date', 'timestamp', ['close_date'], false],
        ] + common},
        'opportunity_contact_role': {'required': false, 'columns': [
            ['id', 'text', ['id'], true],
            ['opportunity_id', 'text', ['opportunity_id'], true],
            ['contact_id', 'text', ['contact_id'], true],
            ['is_primary', 'boolean', ['is_primary'], false],
        ] + common},
        'task': {'required': false, 'columns': [
            ['id', 'text', ['id'], true],
            ['who_id', 'text', ['who_id'], false],
            ['what_id', 'text', ['what_id'], false],
            ['type', 'text', ['type'], false],
            ['subtype', 'text', ['task_subtype'], false],
            ['url', 'text', [url_field] if url_field else [], false],
            ['occurred_at', 'timestamp', ['completed_date_time', 'created_date'], false],
            ['activity_date', 'timestamp', ['activity_date'], false],
        ] + common},
        'event': {'required': false, 'columns': [
            ['id', 'text', ['id'], true],
            ['who_id', 'text', ['who_id'], false],
            ['what_id', 'text', ['what_id'], false],
            ['type', 'text', ['type'], false],
            ['subtype', 'text', ['event_subtype'], false],
            ['url', 'text', [url_field] if url_field else [], false],
            ['occurred_at', 'timestamp', ['activity_date_time', 'start_date_time'], false],
            ['activity_date', 'timestamp', ['activity_date', 'created_date'], false],
        ] + common},
        'campaign_member': {'required': false, 'columns': [
            ['id', 'text', ['id'], true],
            ['lead_id', 'text', ['lead_id'], false],
            ['contact_id', 'text', ['contact_id'], false],
            ['campaign_id', 'text', ['campaign_id'], false],
            ['has_responded', 'boolean', ['has_responded'], false],
            ['first_responded_date', 'timestamp', ['first_responded_date'], false],
            ['created_date', 'timestamp', ['created_date'], false],
        ] + common},
        'campaign': {'required': false, 'columns': [
            ['id', 'text', ['id'], true],
            ['type', 'text', ['type'], false],
        ] + common},
        'lead_history': {'required': false, 'columns': field_history('lead_id')},
        'contact_history': {'required': false, 'columns': field_history('contact_id')},
        'account_history': {'required': false, 'columns': field_history('account_id')},
    }) }}
{%- endmacro %}
