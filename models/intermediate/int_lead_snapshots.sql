-- The scoring times of each lead. History: the first of every month while the lead is open
-- (younger than max_open_days and not yet converted); these rows train and evaluate models.
-- Current: every scorable lead at the scoring time; these rows are scored.
with

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

leads as (

    select
        lead_id,
        created_at
    from {{ ref('int_leads_validated') }}
    where is_scorable

),

conversions as (

    select
        lead_id,
        converted_at
    from {{ ref('int_lead_conversions') }}

),

month_numbers as (

    {{ integer_sequence(1200) }}

),

snapshot_times as (

    select {{ dbt.dateadd('month', 'month_numbers.integer_value', 'clock.history_start_at') }} as as_of_at
    from month_numbers
    cross join clock
    where {{ dbt.dateadd('month', 'month_numbers.integer_value', 'clock.history_start_at') }} < clock.scoring_at

),

history as (

    select
        leads.lead_id,
        cast(snapshot_times.as_of_at as timestamp) as as_of_at,
        'history' as snapshot_kind,
        true as is_open
    from leads
    inner join snapshot_times
        on
            leads.created_at < snapshot_times.as_of_at
            and snapshot_times.as_of_at <= {{ dbt.dateadd('day', var('leadscore_max_open_days'), 'leads.created_at') }}
    left join conversions on leads.lead_id = conversions.lead_id
    where conversions.converted_at is null or conversions.converted_at > snapshot_times.as_of_at

),

current_snapshot as (

    select
        leads.lead_id,
        clock.scoring_at as as_of_at,
        'current' as snapshot_kind,
        coalesce(conversions.converted_at > clock.scoring_at, true)
        and leads.created_at > {{ dbt.dateadd('day', -1 * var('leadscore_max_open_days'), 'clock.scoring_at') }} as is_open
    from leads
    cross join clock
    left join conversions on leads.lead_id = conversions.lead_id

),

unioned as (

    select * from history
    union all
    select * from current_snapshot

)

select
    unioned.lead_id,
    unioned.as_of_at,
    unioned.snapshot_kind,
    unioned.is_open,
    leads.created_at as lead_created_at,
    {{ days_between('leads.created_at', 'unioned.as_of_at') }} as lead_age_days
from unioned
inner join leads on unioned.lead_id = leads.lead_id
