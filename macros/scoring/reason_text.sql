{#- How a feature value reads in a reason (templates in seeds/feature_reason_texts.csv).

    reason_bands: per value_format, the bands a number falls in, as (upper bound, exclusive; code;
    label). A reason's text uses the band, not the exact number, so the texts are few and group
    well in a BI tool; reason_code carries the band's code. The last band of each list has no
    upper bound; an upper bound of 0 means exactly 0 (no rate below it). -#}
{% macro reason_bands() -%}
    {{ return({
        'count': [
            (1, '0', '0'), (2, '1', '1'), (3, '2', '2'), (4, '3', '3'), (5, '4', '4'),
            (10, '5_9', '5-9'), (20, '10_19', '10-19'), (none, '20_plus', '20 or more'),
        ],
        'level': [(1, 'low', 'low'), (5, 'moderate', 'moderate'), (none, 'high', 'high')],
        'days': [
            (1, 'under_1d', 'less than a day'), (7, '1_6d', '1-6 days'), (30, '1_4w', '1-4 weeks'),
            (90, '1_3m', '1-3 months'), (180, '3_6m', '3-6 months'), (365, '6_12m', '6-12 months'),
            (none, 'over_1y', 'over a year'),
        ],
        'percent': [
            (0, '0', '0%'), (0.1, 'under_10', 'under 10%'), (0.25, '10_24', '10-24%'),
            (0.5, '25_49', '25-49%'), (0.75, '50_74', '50-74%'), (none, '75_plus', '75% or more'),
        ],
        'currency': [
            (1000000, 'under_1m', 'under $1M'), (10000000, '1m_10m', '$1M-$10M'),
            (100000000, '10m_100m', '$10M-$100M'), (1000000000, '100m_1b', '$100M-$1B'),
            (none, '1b_plus', '$1B or more'),
        ],
        'employees': [
            (11, '1_10', '1-10'), (51, '11_50', '11-50'), (201, '51_200', '51-200'),
            (501, '201_500', '201-500'), (1001, '501_1000', '501-1,000'),
            (5001, '1001_5000', '1,001-5,000'), (none, '5001_plus', '5,001 or more'),
        ],
        'velocity': [(-0.1, 'falling', 'falling'), (0.1, 'steady', 'steady'), (none, 'rising', 'rising')],
    }) }}
{%- endmacro %}

{#- The band of value_number under the format in the SQL column value_format: its code when
    part is 'code', else its label. NULL for a format without bands (text, boolean, your own
    columns). -#}
{% macro reason_band(value_format, value_number, part='label') -%}
    case {{ value_format }}
    {%- for format, bands in reason_bands().items() %}
        when {{ sql_literal(format) }} then
            case
            {%- for upper, code, label in bands %}
                {%- if upper == 0 %}
                when {{ value_number }} <= 0 then {{ sql_literal(code if part == 'code' else label) }}
                {%- elif upper is not none %}
                when {{ value_number }} < {{ upper }} then {{ sql_literal(code if part == 'code' else label) }}
                {%- else %}
                else {{ sql_literal(code if part == 'code' else label) }}
                {%- endif %}
            {%- endfor %}
            end
    {%- endfor %}
    end
{%- endmacro %}

{#- The lead's exact value, written for people (lead_score_reasons.feature_value). -#}
{% macro reason_value_text(value_format, value_number, value_text) -%}
    case
        when {{ value_format }} in ('count', 'employees')
            then cast(cast(round({{ value_number }}) as bigint) as {{ dbt.type_string() }})
        when {{ value_format }} = 'days' then
            case
                when {{ value_number }} < 1 then 'less than a day'
                when {{ value_number }} < 2 then '1 day'
                else cast(cast(floor({{ value_number }}) as bigint) as {{ dbt.type_string() }}) || ' days'
            end
        when {{ value_format }} = 'percent'
            then cast(cast(round(100 * {{ value_number }}) as bigint) as {{ dbt.type_string() }}) || '%'
        when {{ value_format }} = 'currency' then
            case
                when {{ value_number }} >= 1000000
                    then '$' || cast(cast(round({{ value_number }} / 1000000) as bigint) as {{ dbt.type_string() }}) || 'M'
                else '$' || cast(cast(round({{ value_number }} / 1000) as bigint) as {{ dbt.type_string() }}) || 'k'
            end
        when {{ value_format }} = 'velocity' then {{ reason_band("'velocity'", value_number) }}
        when {{ value_number }} is not null
            -- dbt's numeric type carries decimals on every adapter (Spark's bare numeric is decimal(10,0))
            then cast(round(cast({{ value_number }} as {{ dbt.type_numeric() }}), 1) as {{ dbt.type_string() }})
        else {{ value_text }}
    end
{%- endmacro %}
