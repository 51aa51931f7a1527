{#- The most expensive tier each row's probability pays for: (keys..., tier_rank) from a CTE.
    top_tier_condition further limits the top tier (sales capacity). -#}
{% macro earned_tier_ranks(relation, key_columns, probability_column, top_tier_condition='true') -%}
    select
        {%- for key in key_columns %}
        {{ relation }}.{{ key }},
        {%- endfor %}
        min(thresholds.tier_rank) as tier_rank
    from {{ relation }}
    inner join {{ ref('lead_tier_thresholds') }} as thresholds
        on
            {{ relation }}.{{ probability_column }} >= thresholds.min_probability
            and (thresholds.tier_rank > 1 or {{ top_tier_condition }})
    group by {% for key in key_columns %}{{ relation }}.{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}
