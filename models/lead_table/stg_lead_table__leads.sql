-- Your lead table, typed and flagged: one row per raw row, nothing dropped.
{%- set config = lead_table_config() %}
{%- set missing = config.get('missing_values', ['']) %}
{%- set label = config.get('label', {}) %}
{%- set as_of = lead_table_as_of(config, missing) %}

with

source as (

    select * from {{ source('lead_table', 'leads') }}

),

typed as (

    select
        {{ text_id(quote_identifier(config.get('key'))) }} as lead_id,
        cast({{ quote_identifier(config.get('key')) }} as {{ dbt.type_string() }}) as crm_record_id,
        {{ lead_table_ordering(config.get('order_by'), missing) }} as ordering_value,
        {%- if config.get('created_at') %}
        cast({{ lead_table_value(config.get('created_at'), missing) }} as timestamp) as lead_created_at,
        {%- else %}
        -- No created_at configured: the creation time is unknown (NULL), never a made-up date.
        cast(null as timestamp) as lead_created_at,
        {%- endif %}
        {{ as_of }} as as_of_at,
        {{ lead_table_value(label.get('column'), missing) }} as label_raw,
        {%- for name, feature in config.get('features', {}).items() %}
        {{ lead_table_feature(name, feature, missing, as_of) }},
        {{ lead_table_feature_flags(name, feature, missing) }},
        {%- endfor %}
        row_number()
            over (partition by {{ quote_identifier(config.get('key')) }} order by {{ quote_identifier(config.get('order_by')) }})
            as key_row_number
    from source

),

flagged as (

    select
        *,
        case
            when label_raw in {{ sql_literal_list(label.get('positive', [])) }} then true
            when label_raw in {{ sql_literal_list(label.get('negative', [])) }} then false
        end as is_converted,
        lead_id is null as dq_lead_id__missing,
        key_row_number > 1 as dq_lead_id__duplicate,
        label_raw is null as dq_label__missing,
        label_raw is not null
        and label_raw not in {{ sql_literal_list(label.get('positive', []) + label.get('negative', [])) }}
            as dq_label__unknown_category
    from typed

)

select
    *,
    not(dq_lead_id__missing or dq_lead_id__duplicate or dq_label__unknown_category) as is_valid
from flagged
