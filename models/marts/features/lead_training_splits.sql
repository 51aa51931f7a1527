-- The chronological split as it was built: boundaries and label rates, for reproducible results.
with

training_set as (

    select * from {{ ref('lead_training_set') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

per_split as (

    select
        split,
        count(*) as snapshot_rows,
        count(distinct lead_id) as leads,
        sum(case when is_converted_in_window then 1 else 0 end) as converted_rows,
        min(as_of_at) as first_as_of_at,
        max(as_of_at) as last_as_of_at,
        max(label_window_ends_at) as last_label_window_ends_at
    from training_set
    group by split

)

select
    per_split.split,
    case per_split.split
        when 'train' then clock.history_start_at
        when 'validation' then clock.validation_starts_at
        when 'test' then clock.test_starts_at
        else clock.test_ends_at
    end as starts_at,
    case per_split.split
        when 'train' then clock.validation_starts_at
        when 'validation' then clock.test_starts_at
        when 'test' then clock.test_ends_at
        else clock.scoring_at
    end as ends_at,
    cast(per_split.snapshot_rows as bigint) as snapshot_rows,
    cast(per_split.leads as bigint) as leads,
    cast(per_split.converted_rows as bigint) as converted_rows,
    cast(per_split.converted_rows as {{ type_double() }}) / per_split.snapshot_rows as label_rate,
    per_split.first_as_of_at,
    per_split.last_as_of_at,
    per_split.last_label_window_ends_at,
    clock.label_window_days,
    clock.scoring_at
from per_split
cross join clock
