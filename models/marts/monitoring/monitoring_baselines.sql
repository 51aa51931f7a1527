-- The champion's training-time distributions: per feature (and its probability, feature
-- `champion_probability`) the reference bins and the share of training rows in each. Written by
-- `leadscore train` into the generated macros; drift is measured against it.
{%- set rows = registry_value('monitoring_baseline', []) %}
{%- set champion = registry_value('champion_model_id') %}

with

baseline as (

    {%- for row in rows %}
    select
        {{ sql_literal(row[0]) }} as feature,
        {{ sql_literal(row[1]) }} as feature_kind,
        {{ row[2] }} as bin_index,
        {{ sql_literal(row[3]) }} as bin_kind,
        {{ double_literal(row[4]) }} as lower_edge,
        {{ double_literal(row[5]) }} as upper_edge,
        {% if row[6] is none %}cast(null as {{ dbt.type_string() }}){% else %}{{ sql_literal(row[6]) }}{% endif %} as category,
        {{ double_literal(row[7]) }} as training_share
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if rows | length == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as feature,
        cast(null as {{ dbt.type_string() }}) as feature_kind,
        cast(null as integer) as bin_index,
        cast(null as {{ dbt.type_string() }}) as bin_kind,
        cast(null as {{ type_double() }}) as lower_edge,
        cast(null as {{ type_double() }}) as upper_edge,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ type_double() }}) as training_share
    where 1 = 0
    {%- endif %}

)

select
    {{ sql_literal(champion) }} as model_id,
    feature,
    feature_kind,
    cast(bin_index as integer) as bin_index,
    bin_kind,
    lower_edge,
    upper_edge,
    category,
    training_share
from baseline
