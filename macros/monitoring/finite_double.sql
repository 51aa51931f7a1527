{#- A number as a double, or NULL when it is missing, NaN or infinite: what drift monitoring counts
    as "missing", the way the training baseline does (python/leadscore/monitoring/drift.py). -#}
{% macro finite_double(expression) -%}
    case
        when {{ lead_scoring.is_finite(expression) }}
            then cast({{ expression }} as {{ lead_scoring.type_double() }})
    end
{%- endmacro %}

{#- True for a finite number; false for NaN (it sorts above every number) and +-infinity; NULL for NULL. -#}
{% macro is_finite(expression) -%}
    cast({{ expression }} as {{ lead_scoring.type_double() }})
    between -cast('1.7976931348623157e308' as {{ lead_scoring.type_double() }})
    and cast('1.7976931348623157e308' as {{ lead_scoring.type_double() }})
{%- endmacro %}

{#- A double literal, exact (parsed from its shortest round-trip text), or NULL. -#}
{% macro double_literal(value) -%}
    {%- if value is none -%}cast(null as {{ lead_scoring.type_double() }})
    {%- else -%}cast('{{ value }}' as {{ lead_scoring.type_double() }})
    {%- endif -%}
{%- endmacro %}

{#- True when a number is NaN or +-infinity (exports write them as text the warehouse parses): such
    values are flagged in staging and become NULL for modelling. NULL is not "not finite". -#}
{% macro is_not_finite(expression) -%}
    coalesce(not ({{ lead_scoring.is_finite(expression) }}), false)
{%- endmacro %}
