-- How far each feature, and the champion's probability (feature `champion_probability`), has moved:
-- per monitored period (each month of history snapshots, and the current run) against the
-- champion's training baseline and against the previous period, on the baseline's bins. The same
-- arithmetic as python/leadscore/monitoring/drift.py: shares floored at 0.0001, PSI = sum of
-- (current - reference) x ln(current / reference), Jensen-Shannon distance in base 2 on the
-- renormalised floored shares.
{%- set kinds = lead_feature_kinds() %}
{%- set text = dbt.type_string() %}
{%- set top_features = registry_value('monitoring_estimate', [none, none, none, []])[3] %}

with

scored as (

    select * from {{ ref('monitoring_scored_snapshots') }}

),

baseline as (

    select * from {{ ref('monitoring_baselines') }}

),

periods as (

    select
        as_of_at,
        min(snapshot_kind) as snapshot_kind,
        cast(count(*) as bigint) as scored_rows
    from scored
    group by as_of_at

),

ordered_periods as (

    select
        as_of_at,
        snapshot_kind,
        scored_rows,
        lag(as_of_at) over (order by as_of_at) as previous_as_of_at
    from periods

),

long_values as (

    {%- for feature, kind in kinds.items() %}
    select
        as_of_at,
        {{ sql_literal(feature) }} as feature,
        {% if kind == 'numeric' -%}
        {{ finite_double(quote_identifier(feature)) }} as value_number,
        cast(null as {{ text }}) as value_text
        {%- else -%}
        cast(null as {{ type_double() }}) as value_number,
        cast({{ quote_identifier(feature) }} as {{ text }}) as value_text
        {%- endif %}
    from scored
    union all
    {%- endfor %}
    select
        as_of_at,
        'champion_probability' as feature,
        {{ finite_double('champion_probability') }} as value_number,
        cast(null as {{ text }}) as value_text
    from scored

),

range_bins as (

    select
        long_values.as_of_at,
        long_values.feature,
        baseline.bin_index
    from long_values
    inner join baseline
        on
            long_values.feature = baseline.feature
            and baseline.bin_kind = 'range'
            and (baseline.lower_edge is null or long_values.value_number >= baseline.lower_edge)
            and (baseline.upper_edge is null or long_values.value_number < baseline.upper_edge)
    where long_values.value_number is not null

),

missing_bins as (

    select
        long_values.as_of_at,
        long_values.feature,
        baseline.bin_index
    from long_values
    inner join baseline
        on
            long_values.feature = baseline.feature
            and baseline.bin_kind = 'missing'
    where long_values.value_number is null and long_values.value_text is null

),

category_bins as (

    select
        long_values.as_of_at,
        long_values.feature,
        coalesce(seen.bin_index, other.bin_index) as bin_index
    from long_values
    inner join baseline as other
        on
            long_values.feature = other.feature
            and other.bin_kind = 'other'
    left join baseline as seen
        on
            long_values.feature = seen.feature
            and seen.bin_kind = 'category'
            and long_values.value_text = seen.category
    where long_values.value_text is not null

),

counts as (

    select
        as_of_at,
        feature,
        bin_index,
        count(*) as bin_rows
    from (
        select * from range_bins
        union all
        select * from missing_bins
        union all
        select * from category_bins
    ) as binned
    group by as_of_at, feature, bin_index

),

shares as (

    select
        ordered_periods.as_of_at,
        ordered_periods.previous_as_of_at,
        baseline.feature,
        baseline.bin_index,
        greatest(baseline.training_share, 0.0001) as reference_share,
        greatest(
            cast(coalesce(counts.bin_rows, 0) as {{ type_double() }}) / ordered_periods.scored_rows, 0.0001
        ) as current_share
    from ordered_periods
    cross join baseline
    left join counts
        on
            ordered_periods.as_of_at = counts.as_of_at
            and baseline.feature = counts.feature
            and baseline.bin_index = counts.bin_index

),

paired as (

    select
        shares.as_of_at,
        shares.feature,
        shares.reference_share,
        shares.current_share,
        previous.current_share as previous_share
    from shares
    left join shares as previous
        on
            shares.previous_as_of_at = previous.as_of_at
            and shares.feature = previous.feature
            and shares.bin_index = previous.bin_index

),

normalised as (

    select
        *,
        reference_share / {{ exact_window_sum('reference_share', 'partition by as_of_at, feature') }} as reference_p,
        current_share / {{ exact_window_sum('current_share', 'partition by as_of_at, feature') }} as current_p,
        previous_share / {{ exact_window_sum('previous_share', 'partition by as_of_at, feature') }} as previous_p
    from paired

),

per_feature as (

    select
        as_of_at,
        feature,
        {{ exact_sum('(current_share - reference_share) * ln(current_share / reference_share)') }} as psi_vs_training,
        sqrt(
            (
                {{ exact_sum('reference_p * ln(reference_p / ((reference_p + current_p) / 2))') }}
                + {{ exact_sum('current_p * ln(current_p / ((reference_p + current_p) / 2))') }}
            ) / (2 * ln(2))
        ) as js_distance_vs_training,
        {{ exact_sum('(current_share - previous_share) * ln(current_share / previous_share)') }} as psi_vs_previous,
        sqrt(
            (
                {{ exact_sum('previous_p * ln(previous_p / ((previous_p + current_p) / 2))') }}
                + {{ exact_sum('current_p * ln(current_p / ((previous_p + current_p) / 2))') }}
            ) / (2 * ln(2))
        ) as js_distance_vs_previous
    from normalised
    group by as_of_at, feature

)

select
    per_feature.as_of_at,
    ordered_periods.snapshot_kind,
    ordered_periods.scored_rows,
    per_feature.feature,
    per_feature.feature = 'champion_probability' as is_score,
    per_feature.feature in {{ sql_literal_list(top_features or ['']) }} as is_top_feature,
    per_feature.psi_vs_training,
    per_feature.js_distance_vs_training,
    ordered_periods.previous_as_of_at,
    per_feature.psi_vs_previous,
    per_feature.js_distance_vs_previous
from per_feature
inner join ordered_periods on per_feature.as_of_at = ordered_periods.as_of_at
