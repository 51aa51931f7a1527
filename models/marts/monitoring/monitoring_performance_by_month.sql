-- Performance per as-of month on labelled snapshots (their label window has closed), scored by the
-- champion in the warehouse: ROC-AUC by the rank-sum (Mann-Whitney) formula with tied scores
-- sharing their average rank, as scikit-learn's roc_auc_score counts them; conversion rate, mean
-- probability, Brier score. `is_after_training` marks months newer than every label the champion
-- was fitted on: the live check. Earlier months are in its training data, so their figures are
-- optimistic; the walk-forward estimate (`estimated_auc`) is the figure to hold them against.
{%- set estimate = registry_value('monitoring_estimate', [none, none, none, []]) %}

with

scores as (

    select * from {{ ref('lead_training_scores') }}

),

ranked as (

    select
        as_of_at,
        is_converted_in_window,
        champion_probability,
        rank() over (partition by as_of_at order by champion_probability)
        + (count(*) over (partition by as_of_at, champion_probability) - 1) / 2.0 as average_rank
    from scores

),

per_month as (

    select
        as_of_at,
        cast(count(*) as bigint) as labelled_rows,
        cast(sum(case when is_converted_in_window then 1 else 0 end) as bigint) as conversions,
        sum(case when is_converted_in_window then average_rank else 0 end) as positive_rank_sum,
        {{ exact_avg('champion_probability') }} as mean_probability,
        {{ exact_avg(
            '(champion_probability - case when is_converted_in_window then 1.0 else 0.0 end)'
            ~ ' * (champion_probability - case when is_converted_in_window then 1.0 else 0.0 end)'
        ) }} as brier_score
    from ranked
    group by as_of_at

)

select
    as_of_at,
    labelled_rows,
    conversions,
    cast(conversions as {{ type_double() }}) / labelled_rows as conversion_rate,
    mean_probability,
    brier_score,
    case
        when conversions > 0 and conversions < labelled_rows
            then
                (positive_rank_sum - conversions * (conversions + 1) / 2.0)
                / (cast(conversions as {{ type_double() }}) * (labelled_rows - conversions))
    end as roc_auc,
    {{ double_literal(estimate[1]) }} as estimated_auc,
    {% if estimate[2] is none or is_lead_table_mode() -%}
    false
    {%- else -%}
    as_of_at > cast({{ sql_literal(estimate[2]) }} as timestamp)
    {%- endif %} as is_after_training
from per_month
