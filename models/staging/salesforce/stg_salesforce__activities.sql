-- Salesforce touches in the staging contract's activity shape (raw crm_activities columns): Tasks
-- and Events (WhoId -> the person, through conversions and merges) and campaign members who
-- responded. Type (or subtype) maps through var leadscore_salesforce_activity_types; anything else
-- keeps its own text, which staging normalises or flags as an unknown activity type. A touch whose
-- WhoId is no known person keeps its WhoId as lead_id and is flagged an orphan by staging.
{%- set task_types = var('leadscore_salesforce_activity_types', {}) or {} %}
{%- set campaign_types = var('leadscore_salesforce_campaign_activity_types', {}) or {} %}
with

tasks as (

    select * from {{ ref('base_salesforce__task') }}

),

events as (

    select * from {{ ref('base_salesforce__event') }}

),

campaign_members as (

    select * from {{ ref('base_salesforce__campaign_member') }}

),

campaigns as (

    select * from {{ ref('base_salesforce__campaign') }}
    where not is_removed and not is_inactive_version

),

person_records as (

    select distinct
        record_id,
        person_id
    from {{ ref('stg_salesforce__person_records') }}
    where person_id is not null

),

touches as (

    select
        id as activity_id,
        who_id,
        'task' as touch_kind,
        type,
        subtype,
        url,
        coalesce(occurred_at, activity_date) as occurred_at,
        synced_at,
        'task' as source_table,
        id as source_record_id
    from tasks
    where not is_removed and not is_inactive_version
    union all
    select
        id as activity_id,
        who_id,
        'event' as touch_kind,
        type,
        subtype,
        url,
        coalesce(occurred_at, activity_date) as occurred_at,
        synced_at,
        'event' as source_table,
        id as source_record_id
    from events
    where not is_removed and not is_inactive_version

),

typed_touches as (

    select
        activity_id,
        who_id,
        case lower(trim(coalesce(type, subtype)))
            {%- for raw_type, activity_type in task_types.items() %}
            when {{ sql_literal(raw_type | lower) }} then {{ sql_literal(activity_type) }}
            {%- endfor %}
            else coalesce(type, case when touch_kind = 'event' then 'sales_meeting' else subtype end)
        end as activity_type,
        url,
        occurred_at,
        synced_at,
        source_table,
        source_record_id
    from touches

),

responses as (

    select
        'campaign_member:' || campaign_members.id as activity_id,
        coalesce(campaign_members.contact_id, campaign_members.lead_id) as who_id,
        case lower(trim(campaigns.type))
            {%- for campaign_type, activity_type in campaign_types.items() %}
            when {{ sql_literal(campaign_type | lower) }} then {{ sql_literal(activity_type) }}
            {%- endfor %}
            else {{ sql_literal(var('leadscore_salesforce_campaign_response_activity', 'form_submitted')) }}
        end as activity_type,
        cast(null as {{ dbt.type_string() }}) as url,
        coalesce(campaign_members.first_responded_date, campaign_members.created_date) as occurred_at,
        campaign_members.synced_at,
        'campaign_member' as source_table,
        campaign_members.id as source_record_id
    from campaign_members
    left join campaigns on campaign_members.campaign_id = campaigns.id
    where
        not campaign_members.is_removed
        and not campaign_members.is_inactive_version
        and coalesce(campaign_members.has_responded, false)

),

all_touches as (

    select * from typed_touches
    union all
    select * from responses

)

select
    all_touches.activity_id,
    coalesce(person_records.person_id, all_touches.who_id) as lead_id,
    all_touches.activity_type,
    -- Only the path: staging classifies pages by it ('/pricing', '/docs/...').
    regexp_replace(all_touches.url, '^[A-Za-z]+://[^/]*', '') as url_path,
    all_touches.occurred_at,
    all_touches.synced_at as _loaded_at,
    all_touches.source_table,
    all_touches.source_record_id
from all_touches
left join person_records on all_touches.who_id = person_records.record_id
