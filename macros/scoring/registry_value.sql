{#- A value from the generated registry macros (champion_model_id, challenger_model_id,
    segment_column, segment_models), or `default` when no model has been trained for this
    instance yet: models can then parse, and `leadscore build` skips the scoring selector. -#}
{% macro registry_value(name, default=none) -%}
    {%- set generated = context.get(name) -%}
    {{ return(generated() if generated is not none else default) }}
{%- endmacro %}
