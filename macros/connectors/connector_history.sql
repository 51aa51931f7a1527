{#- The history tables read for point-in-time features, and the contract attribute each tracked field
    holds. A history row names its field the way the CRM does (Salesforce `NumberOfEmployees`,
    `Funding_Stage__c`; HubSpot `numberofemployees`); it is matched, case- and
    underscore-insensitively, against the names tried for that column of its parent table (and a
    leadscore_connector_columns override), so a renamed or custom field needs no second mapping.

    {history table: {'parent': parent table, 'attributes': {contract attribute: parent column}}};
    job_title and lead_source are the person's, the rest the account's. -#}
{% macro connector_history_tables(connector) -%}
    {%- set firmographics = {
        'industry': 'industry',
        'employee_count': 'number_of_employees',
        'annual_revenue': 'annual_revenue',
        'country': 'country',
    } -%}
    {%- set person = {'job_title': 'title' if connector == 'salesforce' else 'job_title', 'lead_source': 'lead_source'} -%}
    {%- if connector == 'salesforce' -%}
        {{ return({
            'lead_history': {'parent': 'lead', 'attributes': dict(person, **firmographics)},
            'contact_history': {'parent': 'contact', 'attributes': person},
            'account_history': {'parent': 'account', 'attributes': dict(firmographics, funding_stage='funding_stage')},
        }) }}
    {%- else -%}
        {{ return({
            'contact_property_history': {'parent': 'contact', 'attributes': person},
            'company_property_history': {'parent': 'company', 'attributes': dict(firmographics, funding_stage='funding_stage')},
        }) }}
    {%- endif -%}
{%- endmacro %}

{#- The attributes a history table can change that belong to the person (the rest are the account's). -#}
{% macro person_attributes() -%}
    {{ return(['job_title', 'lead_source']) }}
{%- endmacro %}

{#- A HubSpot property as its history names it: property_industry and properties_industry are industry. -#}
{% macro bare_property_name(column) -%}
    {%- set name = column | string | lower -%}
    {%- for prefix in ['properties_', 'property_'] -%}
        {%- if name.startswith(prefix) -%}{{ return(name[prefix | length:]) }}{%- endif -%}
    {%- endfor -%}
    {{ return(name) }}
{%- endmacro %}

{#- SQL: the contract attribute a history row's field holds, or NULL for a field leadscore does not read. -#}
{% macro history_field_attribute(connector, history_table, field) -%}
    {%- set history = lead_scoring.connector_history_tables(connector)[history_table] -%}
    {%- set parent_columns = lead_scoring.connector_tables(connector)[history.parent].columns -%}
    {%- set overrides = (((var('leadscore_connector_columns', {}) or {}).get(connector, {}) or {}).get(history.parent, {})) or {} -%}
    {%- set keys = {} -%}
    {%- for attribute, column in history.attributes.items() -%}
        {%- for name, kind, candidates, required in parent_columns if name == column -%}
            {%- for candidate in ([overrides[name]] if name in overrides else candidates) -%}
                {%- set key = lead_scoring.connector_column_key(lead_scoring.bare_property_name(candidate) if connector == 'hubspot' else candidate) -%}
                {%- if key not in keys -%}{%- do keys.update({key: attribute}) -%}{%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    case lower(replace({{ field }}, '_', ''))
        {%- for key, attribute in keys.items() %}
        when {{ lead_scoring.sql_literal(key) }} then {{ lead_scoring.sql_literal(attribute) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- The key of a HubSpot property-history row (it has no id): parent, property and time. -#}
{% macro hubspot_history_key(parent_id) -%}
    {{ parent_id }} || ':' || property_name || ':' || cast(changed_at as {{ dbt.type_string() }})
{%- endmacro %}

{#- SQL in int_lead_features_as_of and int_lead_legacy_points_as_of: an attribute's value at a snapshot, the value its first later
    change replaced (int_lead_attributes_as_of, joined as attributes_then), else the current one. -#}
{% macro as_known_then(attribute, column, current) -%}
    case when attributes_then.{{ attribute }}_changed_later then attributes_then.{{ column }} else {{ current }}.{{ column }} end
{%- endmacro %}
