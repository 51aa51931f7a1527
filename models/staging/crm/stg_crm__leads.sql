with

source as (

    select
        {{ crm_columns('leads', [
            'lead_id',
            'crm_record_id',
            'account_id',
            'email',
            'job_title',
            'lead_source',
            'created_at',
            '_loaded_at'
        ]) }}
    from {{ source('crm', 'crm_leads') }}

),

renamed as (

    select
        cast(lead_id as bigint) as lead_id,
        trim(crm_record_id) as crm_record_id,
        cast(account_id as bigint) as account_id,
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

ranked as (

    -- One person typed in twice is one lead: the earliest record with a known creation time wins.
    select
        *,
        row_number() over (
            partition by coalesce(email, 'lead:' || cast(lead_id as {{ dbt.type_string() }}))
            order by created_at nulls last, lead_id
        ) as person_record_number,
        first_value(lead_id) over (
            partition by coalesce(email, 'lead:' || cast(lead_id as {{ dbt.type_string() }}))
            order by created_at nulls last, lead_id
        ) as canonical_lead_id,
        row_number() over (partition by lead_id order by loaded_at desc) as lead_row_number
    from enriched

),

flagged as (

    select
        lead_id,
        canonical_lead_id,
        crm_record_id,
        account_id,
        email,
        email_domain,
        email_domain in {{ sql_literal_list(free_email_domains()) }} as is_free_email_domain,
        job_title,
        seniority,
        job_function,
        lead_source,
        lead_source_raw,
        created_at,
        loaded_at,
        person_record_number > 1 as is_duplicate,
        lead_row_number = 1 as is_latest_record,
        created_at is null as dq_created_at__missing,
        email is null as dq_email__missing,
        person_record_number > 1 and email is not null as dq_email__duplicate,
        lead_row_number > 1 as dq_lead_id__duplicate,
        seniority = 'unknown' as dq_job_title__missing,
        lead_source_raw is null as dq_lead_source__missing,
        lead_source_raw is not null and lead_source is null as dq_lead_source__unknown_category
    from ranked

)

select * from flagged
