-- Every lead record with its cross-table and clock checks; is_scorable marks the one record per
-- person we score (the newest version of a lead id, not merged into another person, with a
-- plausible creation time).
with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

accounts as (

    select account_id from {{ ref('stg_crm__accounts') }}
    where is_latest_record

),

clock as (

    select
        scoring_at,
        plausible_created_from
    from {{ ref('int_scoring_clock') }}

),

validated as (

    select
        leads.*,
        leads.account_id is not null and accounts.account_id is null as dq_account_id__orphan,
        coalesce(leads.created_at > clock.scoring_at, false) as dq_created_at__in_future,
        coalesce(leads.created_at < clock.plausible_created_from, false) as dq_created_at__implausible,
        coalesce(leads.loaded_at > {{ future_after_at() }}, false) as dq_loaded_at__in_future
    from leads
    left join accounts on leads.account_id = accounts.account_id
    cross join clock

)

select
    *,
    is_latest_record
    and not is_duplicate
    and not dq_created_at__missing
    and not dq_created_at__in_future
    and not dq_created_at__implausible as is_scorable
from validated
