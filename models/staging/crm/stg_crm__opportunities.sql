with

source as (

    select
        {{ crm_columns('opportunities', crm_contract()['opportunities']) }}
    from {{ crm_input('opportunities') }}

),

renamed as (

    select
        {{ text_id('opportunity_id') }} as opportunity_id,
        {{ text_id('lead_id') }} as lead_id,
        {{ text_id('account_id') }} as account_id,
        cast(created_at as timestamp) as created_at,
        lower(trim(stage)) as stage_raw,
        cast(amount as {{ type_double() }}) as amount_raw,
        cast(closed_at as timestamp) as closed_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number() over (partition by opportunity_id order by _loaded_at desc) as opportunity_row_number
    from source

),

flagged as (

    select
        opportunity_id,
        lead_id,
        account_id,
        created_at,
        case stage_raw
            when 'closed won' then 'won'
            when 'closed lost' then 'lost'
            when 'open' then 'open'
        end as deal_stage,
        -- NaN fails the upper bound (it sorts above every number), so value per conversion ignores it.
        case when amount_raw >= 0 and amount_raw < {{ var('leadscore_max_deal_amount_usd') }} then amount_raw end as amount_usd,
        closed_at,
        loaded_at,
        opportunity_row_number = 1 as is_latest_record,
        created_at is null as dq_created_at__missing,
        amount_raw is null as dq_amount__missing,
        {{ is_not_finite('amount_raw') }} as dq_amount__not_finite,
        coalesce(
            not {{ is_not_finite('amount_raw') }}
            and (amount_raw < 0 or amount_raw >= {{ var('leadscore_max_deal_amount_usd') }}),
            false
        ) as dq_amount__out_of_range,
        coalesce(stage_raw not in ('closed won', 'closed lost', 'open'), true) as dq_stage__unknown_category,
        opportunity_row_number > 1 as dq_opportunity_id__duplicate
    from renamed

)

select * from flagged
