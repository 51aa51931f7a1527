{#- A record key as text. Ids are text in every input mode: Salesforce's are 18-character strings,
    HubSpot's and a native CRM's integers are text too ('123'), so every join and contract has one
    key type whatever the source. Blank keys are missing (NULL). -#}
{% macro text_id(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}
