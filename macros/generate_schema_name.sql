{#- Where leadscore's models land. In this repository's own project the schemas are named for their
    layer (staging, intermediate, features, scoring, ...), so the warehouse reads like the folder
    tree. In a host project they follow the host's own generate_schema_name (dbt's default:
    <target schema>_<layer>), unless the host sets var leadscore_layer_schemas: true.

    dbt applies a package's generate_schema_name to that package's nodes, so this macro decides for
    leadscore's nodes only, and hands every other case to the host's macro when it has one. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set is_ours = node is not none and node.package_name == 'lead_scoring' -%}
    {%- set layer_schemas = var('leadscore_layer_schemas', none) -%}
    {%- if layer_schemas is none -%}{%- set layer_schemas = project_name == 'lead_scoring' -%}{%- endif -%}
    {%- if custom_schema_name is not none and is_ours and layer_schemas -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {%- set host = context.get(project_name, {}) -%}
        {%- set host_macro = host.get('generate_schema_name') if project_name != 'lead_scoring' else none -%}
        {%- if host_macro is not none -%}
            {{ host_macro(custom_schema_name, node) }}
        {%- else -%}
            {{ dbt.default__generate_schema_name(custom_schema_name, node) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
