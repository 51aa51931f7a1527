{#- Sums and means of floats that give the same bits on every build. A float sum depends on the
    order rows are added in, which a parallel warehouse does not fix, so two builds of the same data
    could differ in the 15th digit. Summed as a fixed-point decimal (exact, order-free), then cast
    back: values are rounded to 18 decimal places first, far below anything reported. -#}
{% macro type_exact_decimal() -%}
    {{ return(adapter.dispatch('type_exact_decimal', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__type_exact_decimal() -%}decimal(38, 18){%- endmacro %}

{% macro postgres__type_exact_decimal() -%}numeric{%- endmacro %}

{% macro bigquery__type_exact_decimal() -%}bignumeric{%- endmacro %}

{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as {{ type_exact_decimal() }})) as {{ type_double() }})
{%- endmacro %}

{% macro exact_avg(expression) -%}
    cast(avg(cast({{ expression }} as {{ type_exact_decimal() }})) as {{ type_double() }})
{%- endmacro %}

{% macro exact_window_sum(expression, window) -%}
    cast(sum(cast({{ expression }} as {{ type_exact_decimal() }})) over ({{ window }}) as {{ type_double() }})
{%- endmacro %}
