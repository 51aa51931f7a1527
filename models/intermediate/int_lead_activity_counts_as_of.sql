-- Per snapshot and activity: counts over trailing windows, strictly before the as-of time.
-- The only join of activities to snapshots: every engagement feature and rule score reads this.
with

snapshots as (

    select
        lead_id,
        as_of_at,
        snapshot_kind
    from {{ ref('int_lead_snapshots') }}

),

activities as (

    select
        lead_id,
        activity_name,
        occurred_at
    from {{ ref('int_activities_validated') }}
    where is_usable and is_marketing_engagement

),

aged as (

    select
        snapshots.lead_id,
        snapshots.as_of_at,
        snapshots.snapshot_kind,
        activities.activity_name,
        activities.occurred_at,
        {{ days_between('activities.occurred_at', 'snapshots.as_of_at') }} as days_before_as_of
    from snapshots
    inner join activities
        on
            snapshots.lead_id = activities.lead_id
            and snapshots.as_of_at > activities.occurred_at

),

counted as (

    select
        lead_id,
        as_of_at,
        snapshot_kind,
        activity_name,
        count(*) as activity_count,
        sum(case when days_before_as_of < 7 then 1 else 0 end) as count_7d,
        sum(case when days_before_as_of < 30 then 1 else 0 end) as count_30d,
        sum(case when days_before_as_of >= 30 and days_before_as_of < 60 then 1 else 0 end) as count_prior_30d,
        sum(case when days_before_as_of < 90 then 1 else 0 end) as count_90d,
        -- Each term rounded to a multiple of 2^-30 (< 1e-9): sums of such terms are exact in a double,
        -- so the result no longer depends on the order threads add them in (rebuilds give the same bits).
        sum(
            floor(exp(-ln(2.0) * days_before_as_of / {{ var('leadscore_engagement_half_life_days') }}) * 1073741824e0 + 0.5)
            / 1073741824e0
        ) as decayed_count,
        min(days_before_as_of) as days_since_last,
        max(days_before_as_of) as days_since_first,
        max(occurred_at) as last_occurred_at
    from aged
    group by lead_id, as_of_at, snapshot_kind, activity_name

)

select * from counted
