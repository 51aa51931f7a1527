{#- The raw columns of a CRM table under the names staging expects. Your CRM's names come from
    var leadscore_crm_columns, e.g. {leads: {lead_id: Id, created_at: CreatedDate}}; unmapped ones keep their name. -#}
{% macro crm_columns(table, columns) -%}
    {%- set mapping = var('leadscore_crm_columns', {}).get(table, {}) -%}
    {%- for column in columns %}
        {{ lead_scoring.quote_identifier(mapping.get(column, column)) }} as {{ column }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
