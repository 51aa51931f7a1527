{#- Rows 0 .. upper_bound - 1 in a column named integer_value (up to 10,000), without generate_series. -#}
{% macro integer_sequence(upper_bound) -%}
    {{ return(adapter.dispatch('integer_sequence', 'lead_scoring')(upper_bound)) }}
{%- endmacro %}

{% macro default__integer_sequence(upper_bound) -%}
    select integer_value
    from (
        select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as integer_value
        from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ones (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as tens (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as hundreds (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as thousands (digit)
    ) as digits
    where integer_value < {{ upper_bound }}
{%- endmacro %}

{% macro bigquery__integer_sequence(upper_bound) -%}
    select integer_value from unnest(generate_array(0, {{ upper_bound }} - 1)) as integer_value
{%- endmacro %}
