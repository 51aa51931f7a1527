-- Calibration per as-of month: labelled snapshots cut into ten equal groups by the champion's
-- probability (1 = highest), the mean probability each group was given against how often it converted.
with

scores as (

    select * from {{ ref('lead_training_scores') }}

),

deciles as (

    select
        as_of_at,
        is_converted_in_window,
        champion_probability,
        ntile(10) over (partition by as_of_at order by champion_probability desc, lead_id asc) as decile
    from scores

)

select
    as_of_at,
    decile,
    cast(count(*) as bigint) as labelled_rows,
    {{ exact_avg('champion_probability') }} as mean_probability,
    avg(case when is_converted_in_window then 1.0 else 0.0 end) as conversion_rate
from deciles
group by as_of_at, decile
