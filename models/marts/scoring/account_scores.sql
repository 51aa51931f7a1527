{{ config(enabled=var('leadscore_input_mode', 'crm') in ['crm', 'salesforce', 'hubspot']) }}
-- The buying committee per account: its open leads, how many engage, which seniorities are in,
-- and the probability that at least one of them converts.
with

scores as (

    select * from {{ ref('lead_scores') }}
    where is_open

),

features as (

    select
        lead_id,
        seniority,
        engagements_30d
    from {{ ref('lead_features') }}

),

accounts as (

    select
        account_id,
        account_name,
        industry,
        employee_count
    from {{ ref('stg_crm__accounts') }}
    where is_latest_record

),

thresholds as (

    select * from {{ ref('lead_tier_thresholds') }}

),

leads as (

    select
        scores.account_id,
        scores.lead_id,
        scores.probability,
        scores.tier_rank,
        features.seniority,
        features.engagements_30d
    from scores
    inner join features on scores.lead_id = features.lead_id
    where scores.account_id is not null

),

seniorities as (

    select distinct
        account_id,
        seniority
    from leads
    where seniority <> 'unknown'

),

seniority_lists as (

    select
        account_id,
        {{ dbt.listagg('seniority', "', '", 'order by seniority') }} as seniorities_covered,
        count(*) as seniority_count
    from seniorities
    group by account_id

),

top_leads as (

    select
        account_id,
        lead_id,
        probability,
        row_number() over (partition by account_id order by probability desc, lead_id asc) as lead_rank
    from leads

),

rolled_up as (

    select
        account_id,
        count(*) as open_leads,
        sum(case when engagements_30d > 0 then 1 else 0 end) as engaged_leads_30d,
        sum(case when tier_rank = 1 then 1 else 0 end) as top_tier_leads,
        -- P(at least one converts) = 1 - prod(1 - p), as a sum of logs; p is capped below 1.
        1 - exp({{ exact_sum('ln(1 - least(probability, 0.999999999))') }}) as probability_any_converts
    from leads
    group by account_id

),

account_tiers as (

    {{ earned_tier_ranks('rolled_up', ['account_id'], 'probability_any_converts') }}

)

select
    rolled_up.account_id,
    accounts.account_name,
    accounts.industry,
    accounts.employee_count,
    cast(rolled_up.open_leads as integer) as open_leads,
    cast(rolled_up.engaged_leads_30d as integer) as engaged_leads_30d,
    cast(rolled_up.top_tier_leads as integer) as top_tier_leads,
    coalesce(seniority_lists.seniorities_covered, '') as seniorities_covered,
    cast(coalesce(seniority_lists.seniority_count, 0) as integer) as seniority_count,
    cast(rolled_up.probability_any_converts as {{ type_double() }}) as probability_any_converts,
    account_tier.tier as account_tier,
    top_leads.lead_id as top_lead_id,
    top_leads.probability as top_lead_probability
from rolled_up
left join accounts on rolled_up.account_id = accounts.account_id
left join seniority_lists on rolled_up.account_id = seniority_lists.account_id
left join top_leads on rolled_up.account_id = top_leads.account_id and top_leads.lead_rank = 1
left join account_tiers on rolled_up.account_id = account_tiers.account_id
left join thresholds as account_tier on account_tiers.tier_rank = account_tier.tier_rank
