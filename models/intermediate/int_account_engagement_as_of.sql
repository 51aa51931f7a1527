-- The buying committee around each snapshot: leads of the same account known, and engaged, before the as-of time.
with

snapshots as (

    select
        lead_id,
        as_of_at
    from {{ ref('int_lead_snapshots') }}

),

leads as (

    select
        lead_id,
        account_id,
        created_at
    from {{ ref('int_leads_validated') }}
    where is_scorable and account_id is not null

),

activities as (

    select
        lead_id,
        occurred_at
    from {{ ref('int_activities_validated') }}
    where is_usable and is_marketing_engagement

),

account_snapshots as (

    select distinct
        leads.account_id,
        snapshots.as_of_at
    from snapshots
    inner join leads on snapshots.lead_id = leads.lead_id

),

committee as (

    select
        account_snapshots.account_id,
        account_snapshots.as_of_at,
        count(*) as buying_committee_size
    from account_snapshots
    inner join leads
        on
            account_snapshots.account_id = leads.account_id
            and account_snapshots.as_of_at > leads.created_at
    group by account_snapshots.account_id, account_snapshots.as_of_at

),

engaged as (

    select
        account_snapshots.account_id,
        account_snapshots.as_of_at,
        count(distinct leads.lead_id) as account_engaged_leads_30d
    from account_snapshots
    inner join leads on account_snapshots.account_id = leads.account_id
    inner join activities
        on
            leads.lead_id = activities.lead_id
            and account_snapshots.as_of_at > activities.occurred_at
            and activities.occurred_at >= {{ dbt.dateadd('day', -30, 'account_snapshots.as_of_at') }}
    group by account_snapshots.account_id, account_snapshots.as_of_at

)

select
    committee.account_id,
    committee.as_of_at,
    committee.buying_committee_size,
    coalesce(engaged.account_engaged_leads_30d, 0) as account_engaged_leads_30d
from committee
left join engaged
    on
        committee.account_id = engaged.account_id
        and committee.as_of_at = engaged.as_of_at
