-- The top positive and negative factors of every lead's score, in words a sales rep reads, from the
-- champion's exact contributions to the log-odds.
--
-- What a rep can act on comes first: behaviour and fit reasons rank before context (how old the
-- lead is, how recent its last touch), then by the size of the contribution. A reason must move
-- the log-odds by at least var leadscore_reason_min_contribution, and a lead in the last tier lists
-- a positive reason only when it moves them by at least var
-- leadscore_reason_cold_positive_min_contribution (a cold lead with three "good" reasons misleads).
-- Texts use banded values (seeds/feature_reason_texts.csv, macros/scoring/reason_text.sql), so they
-- group in a BI tool; reason_code names the feature and band.
{%- set reasons_per_direction = var('leadscore_reasons_per_direction', 3) %}
{%- set min_contribution = var('leadscore_reason_min_contribution', 0) | float %}
{%- set cold_positive_min = var('leadscore_reason_cold_positive_min_contribution', 0) | float %}

with

candidates as (

    select * from {{ ref('int_lead_score_reason_candidates') }}

),

texts as (

    select * from {{ ref('feature_reason_texts') }}

),

value_labels as (

    select * from {{ ref('reason_value_labels') }}

),

scores as (

    select * from {{ ref('lead_scores') }}

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

last_tier as (

    select max(tier_rank) as tier_rank from thresholds

),

described as (

    select
        candidates.*,
        case when candidates.contribution >= 0 then 'positive' else 'negative' end as direction,
        coalesce(texts.reason_kind, 'fit') as reason_kind,
        coalesce(
            texts.value_format,
            case
                when candidates.value_flag is not null then 'boolean'
                when candidates.value_text is not null then 'text'
            end
        ) as value_format,
        -- without a template (your own columns): "Lead source: google"
        upper(substr(replace(candidates.feature_name, '_', ' '), 1, 1))
        || substr(replace(candidates.feature_name, '_', ' '), 2) as feature_label,
        -- an empty cell is no template (some loaders, and dbt's unit-test fixtures, read it as '')
        nullif(texts.reason_template, '') as reason_template,
        nullif(texts.template_one, '') as template_one,
        nullif(texts.template_zero, '') as template_zero,
        nullif(texts.template_negative, '') as template_negative,
        nullif(texts.template_when_false, '') as template_when_false,
        nullif(texts.template_when_missing, '') as template_when_missing,
        scores.tier_rank = last_tier.tier_rank as is_last_tier
    from candidates
    left join texts on candidates.feature_name = texts.feature_name
    left join scores on candidates.lead_id = scores.lead_id
    cross join last_tier
    where
        candidates.contribution <> 0
        and abs(candidates.contribution) >= {{ min_contribution }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by lead_id, direction
            order by case when reason_kind = 'context' then 1 else 0 end, abs(contribution) desc, feature_name
        ) as reason_rank
    from described
    where not (direction = 'positive' and coalesce(is_last_tier, false) and contribution < {{ cold_positive_min }})

),

banded as (

    select
        ranked.*,
        {{ reason_band('ranked.value_format', 'ranked.value_number', 'code') }} as band_code,
        {{ reason_band('ranked.value_format', 'ranked.value_number') }} as band_label,
        coalesce(value_labels.label, replace(ranked.value_text, '_', ' ')) as category_label,
        ranked.value_number is null and ranked.value_flag is null and ranked.value_text is null as is_missing
    from ranked
    left join value_labels
        on
            ranked.feature_name = value_labels.feature_name
            and ranked.value_text = value_labels.feature_value
    where ranked.reason_rank <= {{ reasons_per_direction }}

)

select
    lead_id,
    model_version,
    direction,
    cast(reason_rank as integer) as reason_rank,
    feature_name,
    reason_kind,
    contribution,
    case
        when is_missing then 'unknown'
        when value_flag is not null then case when value_flag then 'yes' else 'no' end
        when value_text is not null then category_label
        else {{ reason_value_text('value_format', 'value_number', 'value_text') }}
    end as feature_value,
    feature_name || ':' || case
        when is_missing then 'unknown'
        when value_flag is not null then case when value_flag then 'yes' else 'no' end
        when value_text is not null then value_text
        else coalesce(band_code, 'value')
    end as reason_code,
    case
        when is_missing then coalesce(template_when_missing, feature_label || ' unknown')
        when value_flag is not null and not value_flag then coalesce(template_when_false, feature_label || ': no')
        when value_flag is not null then coalesce(reason_template, feature_label || ': yes')
        when value_text is not null
            then replace(coalesce(reason_template, feature_label || ': {value}'), '{value}', category_label)
        when band_code = '0' and template_zero is not null then template_zero
        when band_code = '1' and template_one is not null then template_one
        when direction = 'negative' and template_negative is not null then replace(template_negative, '{value}', band_label)
        else replace(
            coalesce(reason_template, feature_label || ': {value}'),
            '{value}',
            coalesce(band_label, {{ reason_value_text('value_format', 'value_number', 'value_text') }})
        )
    end as reason_text
from banded
