-- HubSpot touches in the staging contract's activity shape (raw crm_activities columns):
-- engagements through engagement_contact (type mapped by var leadscore_hubspot_engagement_activity_types;
-- types not listed, such as notes and tasks, are not touches and are counted as ignored in
-- quality.connector_row_accounting), form submissions (a form titled like an activity type, e.g.
-- "Demo Requested", counts as that type, any other as form_submitted) and marketing email events
-- (email_event.type mapped by var leadscore_hubspot_email_event_activity_types, matched to the
-- contact by recipient e-mail). A merged contact's touches belong to its canonical contact.
{%- set engagement_types = var('leadscore_hubspot_engagement_activity_types', {}) or {} %}
{%- set email_event_types = var('leadscore_hubspot_email_event_activity_types', {}) or {} %}
with

engagements as (

    select * from {{ ref('base_hubspot__engagement') }}
    where not is_removed and not is_inactive_version

),

engagement_contacts as (

    select * from {{ ref('base_hubspot__engagement_contact') }}
    where not is_removed and not is_inactive_version

),

engagement_times as (

    {%- for kind in ['email', 'call', 'meeting', 'note', 'task'] %}
    select
        engagement_id,
        {{ sql_literal(kind | upper) }} as engagement_type,
        occurred_at,
        synced_at,
        is_removed
    from {{ ref('base_hubspot__engagement_' ~ kind) }}
    where not is_inactive_version
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

form_submissions as (

    select * from {{ ref('base_hubspot__contact_form_submission') }}
    where not is_removed and not is_inactive_version

),

email_events as (

    select * from {{ ref('base_hubspot__email_event') }}
    where not is_removed and not is_inactive_version

),

person_records as (

    select distinct
        record_id,
        person_id
    from {{ ref('stg_hubspot__person_records') }}
    where person_id is not null

),

recipients as (

    -- A marketing e-mail reaches the person whose live contact has that address; when two share
    -- it (HubSpot dedupes by e-mail, a connector's history may not), the earliest created one, as
    -- staging chooses a person's canonical record.
    select
        email,
        contact_id
    from (
        select
            lower(trim(contacts.email)) as email,
            contacts.id as contact_id,
            row_number() over (
                partition by lower(trim(contacts.email))
                order by contacts.created_at nulls last, contacts.id
            ) as address_rank
        from {{ ref('base_hubspot__contact') }} as contacts
        inner join person_records
            on contacts.id = person_records.record_id and contacts.id = person_records.person_id
        where contacts.email is not null
    ) as ranked
    where address_rank = 1

),

engagement_touches as (

    select
        'engagement:' || engagement_contacts.engagement_id || ':' || engagement_contacts.contact_id as activity_id,
        engagement_contacts.contact_id as record_id,
        case upper(coalesce(engagements.type, engagement_times.engagement_type))
            {%- for engagement_type, activity_type in engagement_types.items() %}
            when {{ sql_literal(engagement_type | upper) }} then {{ sql_literal(activity_type) }}
            {%- endfor %}
        end as activity_type,
        cast(null as {{ dbt.type_string() }}) as url,
        engagement_times.occurred_at,
        coalesce(engagement_times.synced_at, engagement_contacts.synced_at) as synced_at,
        'engagement_contact' as source_table,
        engagement_contacts.engagement_id || ':' || engagement_contacts.contact_id as source_record_id
    from engagement_contacts
    left join engagements on engagement_contacts.engagement_id = engagements.id
    left join engagement_times on engagement_contacts.engagement_id = engagement_times.engagement_id
    where not coalesce(engagement_times.is_removed, false)

),

form_touches as (

    select
        'form:' || coalesce(conversion_id, contact_id || ':' || cast(submitted_at as {{ dbt.type_string() }})) as activity_id,
        contact_id as record_id,
        case
            when title is null or {{ is_unrecognized_category('title', 'activity_type') }} then 'form_submitted'
            else title
        end as activity_type,
        page_url as url,
        submitted_at as occurred_at,
        synced_at,
        'contact_form_submission' as source_table,
        coalesce(conversion_id, contact_id || ':' || cast(submitted_at as {{ dbt.type_string() }})) as source_record_id
    from form_submissions

),

email_touches as (

    select
        'email_event:' || email_events.id as activity_id,
        recipients.contact_id as record_id,
        case upper(email_events.type)
            {%- for event_type, activity_type in email_event_types.items() %}
            when {{ sql_literal(event_type | upper) }} then {{ sql_literal(activity_type) }}
            {%- endfor %}
        end as activity_type,
        cast(null as {{ dbt.type_string() }}) as url,
        email_events.created_at as occurred_at,
        email_events.synced_at,
        'email_event' as source_table,
        email_events.id as source_record_id
    from email_events
    inner join recipients on lower(trim(email_events.recipient)) = recipients.email

),

touches as (

    select * from engagement_touches
    union all
    select * from form_touches
    union all
    select * from email_touches

)

select
    touches.activity_id,
    coalesce(person_records.person_id, touches.record_id) as lead_id,
    touches.activity_type,
    regexp_replace(touches.url, '^[A-Za-z]+://[^/]*', '') as url_path,
    touches.occurred_at,
    touches.synced_at as _loaded_at,
    touches.source_table,
    touches.source_record_id
from touches
left join person_records on touches.record_id = person_records.record_id
-- Engagement and e-mail types that are not touches (notes, tasks, sends, bounces) are counted as
-- ignored in quality.connector_row_accounting, not staged.
where touches.activity_type is not null
