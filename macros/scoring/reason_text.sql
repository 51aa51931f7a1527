{#- A sales-readable sentence for one feature value (templates in seeds/feature_reason_texts.csv). -#}
{% macro reason_value_text(value_format, value_number, value_text) -%}
    case {{ value_format }}
        when 'integer' then cast(cast(round({{ value_number }}) as bigint) as {{ dbt.type_string() }})
        when 'decimal' then cast(round(cast({{ value_number }} as numeric), 1) as {{ dbt.type_string() }})
        when 'days' then
            case
                when {{ value_number }} < 1 then 'less than a day'
                when {{ value_number }} < 2 then '1 day'
                else cast(cast(floor({{ value_number }}) as bigint) as {{ dbt.type_string() }}) || ' days'
            end
        when 'percent' then cast(cast(round(100 * {{ value_number }}) as bigint) as {{ dbt.type_string() }}) || '%'
        when 'currency' then
            case
                when {{ value_number }} >= 1000000
                    then '$' || cast(cast(round({{ value_number }} / 1000000) as bigint) as {{ dbt.type_string() }}) || 'M'
                else '$' || cast(cast(round({{ value_number }} / 1000) as bigint) as {{ dbt.type_string() }}) || 'k'
            end
        when 'velocity' then
            case
                when {{ value_number }} > 0.1 then 'rising'
                when {{ value_number }} < -0.1 then 'falling'
                else 'steady'
            end
        when 'text' then replace({{ value_text }}, '_', ' ')
    end
{%- endmacro %}
