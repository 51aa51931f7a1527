-- One row per day, 2010 to 2035: the time spine MetricFlow joins metrics to (dbt's semantic layer).
-- var leadscore_time_spine_enabled: false where the host project has its own.
{{ config(enabled=var('leadscore_time_spine_enabled', true)) }}

with

days as (

    {{ dbt.date_spine('day', "cast('2010-01-01' as date)", "cast('2036-01-01' as date)") }}

)

select cast(date_day as date) as date_day
from days
