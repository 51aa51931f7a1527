{%- set plausible_created_at -%}
case when created_at >= {{ configured_timestamp('leadscore_earliest_plausible_at') }} then created_at end
{%- endset %}
with

source as (

    select
        {{ crm_columns('leads', crm_contract()['leads']) }}
    from {{ crm_input('leads') }}

),

renamed as (

    select
        {{ text_id('lead_id') }} as lead_id,
        trim(crm_record_id) as crm_record_id,
        {{ text_id('account_id') }} as account_id,
        nullif(lower(trim(email)), '') as email,
        nullif(trim(job_title), '') as job_title,
        nullif(trim(lead_source), '') as lead_source_raw,
        {{ normalize_category('lead_source', 'lead_source') }} as lead_source,
        cast(created_at as timestamp) as created_at,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

enriched as (

    select
        *,
        {{ seniority_from_title('job_title') }} as seniority,
        {{ job_function_from_title('job_title') }} as job_function,
        {{ dbt.split_part('email', "'@'", 2) }} as email_domain
    from renamed

),

versioned as (

    -- A lead id's versions: the newest extract (_loaded_at) wins. Two rows of one id loaded at the
    -- same time with different data are a conflict; the winner is the row first in the order of
    -- created_at (newest), crm_record_id, email, job_title, lead_source, all ascending with NULLs
    -- last, so the choice never depends on the engine or the load order.
    select
        *,
        row_number() over (
            partition by lead_id
            order by
                loaded_at desc nulls last,
                created_at desc nulls last,
                crm_record_id asc nulls last,
                email asc nulls last,
                job_title asc nulls last,
                lead_source_raw asc nulls last
        ) as lead_row_number,
        {{ dbt.concat([
            "coalesce(crm_record_id, '<null>')",
            "'|'", "coalesce(cast(account_id as " ~ dbt.type_string() ~ "), '<null>')",
            "'|'", "coalesce(email, '<null>')",
            "'|'", "coalesce(job_title, '<null>')",
            "'|'", "coalesce(lead_source_raw, '<null>')",
            "'|'", "coalesce(cast(created_at as " ~ dbt.type_string() ~ "), '<null>')",
        ]) }} as record_fingerprint
    from enriched

),

conflicts as (

    select
        *,
        min(record_fingerprint) over (partition by lead_id, loaded_at)
        <> max(record_fingerprint) over (partition by lead_id, loaded_at) as has_conflicting_version
    from versioned

),

people as (

    -- One person typed in twice is one lead: among each lead id's newest version, the record with
    -- the earliest known creation time (then the lowest lead id) is the person's canonical lead; a
    -- creation time before var leadscore_earliest_plausible_at (a 1900 placeholder) counts as unknown.
    select
        lead_id,
        row_number() over (
            partition by coalesce(email, 'lead:' || cast(lead_id as {{ dbt.type_string() }}))
            order by {{ plausible_created_at }} nulls last, lead_id
        ) as person_record_number,
        first_value(lead_id) over (
            partition by coalesce(email, 'lead:' || cast(lead_id as {{ dbt.type_string() }}))
            order by {{ plausible_created_at }} nulls last, lead_id
        ) as canonical_lead_id
    from conflicts
    where lead_row_number = 1

),

shared_record_ids as (

    -- CRM record ids on more than one person's lead (merged duplicates are not in the feed).
    select conflicts.crm_record_id
    from conflicts
    inner join people on conflicts.lead_id = people.lead_id
    where
        conflicts.lead_row_number = 1
        and people.person_record_number = 1
        and conflicts.crm_record_id is not null
    group by conflicts.crm_record_id
    having count(*) > 1

),

flagged as (

    select
        conflicts.lead_id,
        people.canonical_lead_id,
        conflicts.crm_record_id,
        conflicts.account_id,
        conflicts.email,
        conflicts.email_domain,
        conflicts.email_domain in {{ sql_literal_list(free_email_domains()) }} as is_free_email_domain,
        conflicts.job_title,
        conflicts.seniority,
        conflicts.job_function,
        conflicts.lead_source,
        conflicts.lead_source_raw,
        conflicts.created_at,
        conflicts.loaded_at,
        conflicts.lead_row_number,
        coalesce(conflicts.lead_row_number = 1 and people.person_record_number > 1, false) as is_duplicate,
        conflicts.lead_row_number = 1 as is_latest_record,
        conflicts.created_at is null as dq_created_at__missing,
        conflicts.email is null as dq_email__missing,
        coalesce(
            conflicts.lead_row_number = 1 and people.person_record_number > 1 and conflicts.email is not null, false
        ) as dq_email__duplicate,
        conflicts.lead_row_number > 1 as dq_lead_id__duplicate,
        conflicts.has_conflicting_version as dq_lead_id__conflicting,
        conflicts.crm_record_id is null as dq_crm_record_id__missing,
        coalesce(
            shared_record_ids.crm_record_id is not null
            and conflicts.lead_row_number = 1
            and people.person_record_number = 1,
            false
        ) as dq_crm_record_id__shared,
        conflicts.seniority = 'unknown' as dq_job_title__missing,
        conflicts.lead_source_raw is null as dq_lead_source__missing,
        conflicts.lead_source_raw is not null and conflicts.lead_source is null as dq_lead_source__unknown_category
    from conflicts
    left join people on conflicts.lead_id = people.lead_id
    left join shared_record_ids on conflicts.crm_record_id = shared_record_ids.crm_record_id

)

select * from flagged
