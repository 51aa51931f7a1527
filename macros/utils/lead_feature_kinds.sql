{#- {feature: numeric | boolean | categorical}, read from meta.feature_kind in
    models/marts/features/_features__models.yml (empty while dbt parses). -#}
{% macro lead_feature_kinds() -%}
    {%- set kinds = {} -%}
    {%- if lead_scoring.is_lead_table_mode() -%}
        {%- for name, feature in lead_scoring.lead_table_config().get('features', {}).items() -%}
            {%- do kinds.update({name: feature['kind']}) -%}
        {%- endfor -%}
        {{ return(kinds) }}
    {%- endif -%}
    {%- if execute -%}
        {%- set node = graph.nodes['model.lead_scoring.lead_features'] -%}
        {%- for name in lead_scoring.lead_feature_columns() -%}
            {%- do kinds.update({name: node.columns[name].meta.get('feature_kind', 'numeric')}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(kinds) }}
{%- endmacro %}
