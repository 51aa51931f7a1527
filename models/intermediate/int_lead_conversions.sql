-- A lead converts when its first opportunity is created.
with

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where
        is_usable
    {%- if var('leadscore_conversion_stages', none) %}
            and deal_stage in {{ sql_literal_list(var('leadscore_conversion_stages')) }}
        {%- endif %}

),

ranked as (

    select
        canonical_lead_id as lead_id,
        opportunity_id,
        created_at,
        amount_usd,
        deal_stage,
        row_number() over (partition by canonical_lead_id order by created_at, opportunity_id) as opportunity_number,
        count(*) over (partition by canonical_lead_id) as opportunity_count
    from opportunities

)

select
    lead_id,
    opportunity_id as first_opportunity_id,
    created_at as converted_at,
    amount_usd as first_opportunity_amount_usd,
    deal_stage as first_opportunity_stage,
    opportunity_count
from ranked
where opportunity_number = 1
