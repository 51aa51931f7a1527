with

source as (

    select
        {{ crm_columns('activities', crm_contract()['activities']) }}
    from {{ crm_input('activities') }}

),

renamed as (

    select
        {{ text_id('activity_id') }} as activity_id,
        {{ text_id('lead_id') }} as lead_id,
        nullif(trim(activity_type), '') as activity_type_raw,
        {{ normalize_category('activity_type', 'activity_type') }} as activity_type,
        lower(trim(url_path)) as url_path,
        cast(occurred_at as timestamp) as occurred_at,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

classified as (

    select
        *,
        case
            when url_path like '/pricing%' then 'pricing'
            when url_path like '/docs/%' then 'docs'
            when url_path like '/blog/%' then 'blog'
            when url_path like '/customers/%' then 'case_study'
            when url_path like '/compare/%' then 'comparison'
            else 'other'
        end as page_type,
        row_number() over (partition by activity_id order by loaded_at desc) as activity_row_number
    from renamed

),

named as (

    select
        activity_id,
        lead_id,
        activity_type,
        activity_type_raw,
        case
            when activity_type = 'page_view' then 'page_view_' || page_type
            else activity_type
        end as activity_name,
        url_path,
        occurred_at,
        loaded_at,
        -- Sales-logged touches happen because a lead converted: never an engagement signal.
        coalesce(activity_type not in ('sales_meeting'), false) as is_marketing_engagement,
        activity_row_number > 1 as dq_activity_id__duplicate,
        activity_type_raw is null as dq_activity_type__missing,
        activity_type_raw is not null and activity_type is null as dq_activity_type__unknown_category,
        occurred_at is null as dq_occurred_at__missing
    from classified

)

select * from named
