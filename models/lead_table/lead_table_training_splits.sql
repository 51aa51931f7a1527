-- The split as built in lead_table mode: rows and label rate per split, by ordering value.
with

training_set as (

    select * from {{ ref('lead_table_training_set') }}

)

select
    split,
    cast(null as timestamp) as starts_at,
    cast(null as timestamp) as ends_at,
    cast(count(*) as bigint) as snapshot_rows,
    cast(count(distinct lead_id) as bigint) as leads,
    cast(sum(case when is_converted_in_window then 1 else 0 end) as bigint) as converted_rows,
    cast(sum(case when is_converted_in_window then 1 else 0 end) as {{ type_double() }}) / count(*) as label_rate,
    min(ordering_value) as first_ordering_value,
    max(ordering_value) as last_ordering_value,
    cast(null as integer) as label_window_days
from training_set
group by split
