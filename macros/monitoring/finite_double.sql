{#- A number as a double, or NULL when it is missing, NaN or infinite: what drift monitoring counts
    as "missing", the way the training baseline does (python/leadscore/monitoring/drift.py). -#}
{% macro finite_double(expression) -%}
    case
        when cast({{ expression }} as {{ lead_scoring.type_double() }})
            between -cast('1.7976931348623157e308' as {{ lead_scoring.type_double() }})
            and cast('1.7976931348623157e308' as {{ lead_scoring.type_double() }})
            then cast({{ expression }} as {{ lead_scoring.type_double() }})
    end
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
    coalesce(
        not (
            cast({{ expression }} as {{ lead_scoring.type_double() }})
            between -cast('1.7976931348623157e308' as {{ lead_scoring.type_double() }})
            and cast('1.7976931348623157e308' as {{ lead_scoring.type_double() }})
        ),
        false
    )
{%- endmacro %}
