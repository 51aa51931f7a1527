{#- {feature: numeric | boolean | categorical}, read from meta.feature_kind in
    models/marts/features/_features__models.yml (empty while dbt parses). -#}
{% macro lead_feature_kinds() -%}
    {%- set kinds = {} -%}
    {%- if execute -%}
        {%- set node = graph.nodes['model.lead_scoring.lead_features'] -%}
        {%- for name in lead_scoring.lead_feature_columns() -%}
            {%- do kinds.update({name: node.columns[name].meta.get('feature_kind', 'numeric')}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(kinds) }}
{%- endmacro %}
