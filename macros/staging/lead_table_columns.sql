{#- Typed feature columns of the lead table, from leadscore.yml's description (var lead_table). -#}
{% macro lead_table_value(source_column, missing_values) -%}
    case
        when trim(cast({{ lead_scoring.quote_identifier(source_column) }} as {{ dbt.type_string() }})) in {{ lead_scoring.sql_literal_list(missing_values) }} then null
        else trim(cast({{ lead_scoring.quote_identifier(source_column) }} as {{ dbt.type_string() }}))
    end
{%- endmacro %}

{% macro lead_table_feature(name, feature, missing_values) -%}
    {%- set value = lead_scoring.lead_table_value(feature['source'], missing_values) -%}
    {%- if feature['kind'] == 'numeric' -%}
        cast({{ value }} as double precision)
    {%- elif feature['kind'] == 'boolean' -%}
        case
            when {{ value }} in {{ lead_scoring.sql_literal_list(feature['true_values']) }} then true
            when {{ value }} in {{ lead_scoring.sql_literal_list(feature['false_values']) }} then false
        end
    {%- else -%}
        {{ value }}
    {%- endif %} as {{ name }}
{%- endmacro %}
