-- Training mart in lead_table mode: one row per lead, the label, and a chronological split by the
-- ordering column (the first share of leads trains, the next validates, the last tests).
{%- set config = lead_table_config() %}
{%- set split = config.get('split', {}) %}
{%- set train_share = split.get('train', 0.7) | float %}
{%- set validation_share = split.get('validation', 0.15) | float %}

with

leads as (

    select * from {{ ref('stg_lead_table__leads') }}
    where is_valid and is_converted is not null

),

ordered as (

    select
        *,
        percent_rank() over (order by ordering_value, lead_id) as order_rank
    from leads

)

select
    lead_id,
    cast(null as {{ dbt.type_string() }}) as account_id,
    as_of_at,
    lead_created_at,
    {%- for name in lead_feature_columns() %}
    {{ name }},
    {%- endfor %}
    cast(null as integer) as legacy_rule_score,
    cast(null as timestamp) as converted_at,
    is_converted as is_converted_in_window,
    ordering_value,
    case
        when order_rank < {{ train_share }} then 'train'
        when order_rank < {{ train_share + validation_share }} then 'validation'
        else 'test'
    end as split
from ordered
