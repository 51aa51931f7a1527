with

source as (

    select
        {{ crm_columns('accounts', crm_contract()['accounts']) }}
    from {{ crm_input('accounts') }}

),

renamed as (

    select
        {{ text_id('account_id') }} as account_id,
        trim(account_name) as account_name,
        lower(trim(website_domain)) as website_domain,
        nullif(trim(industry), '') as industry_raw,
        {{ normalize_category('industry', 'industry') }} as industry,
        nullif(trim(country), '') as country_raw,
        {{ normalize_category('country', 'country') }} as country_code,
        {{ normalize_category('funding_stage', 'funding_stage') }} as funding_stage,
        {{ bounded_bigint('employee_count') }} as employee_count_raw,
        cast(employee_count as {{ type_double() }}) as employee_count_number,
        {{ is_not_finite('employee_count') }} as dq_employee_count__not_finite,
        cast(annual_revenue as {{ type_double() }}) as annual_revenue_raw,
        cast(uses_salesforce as boolean) as uses_salesforce,
        cast(uses_competitor as boolean) as uses_competitor,
        cast(created_at as timestamp) as created_at,
        cast(_loaded_at as timestamp) as loaded_at,
        {{ is_unrecognized_category('industry', 'industry') }} as dq_industry__unknown_category,
        {{ is_unrecognized_category('country', 'country') }} as dq_country__unknown_category,
        {{ is_unrecognized_category('funding_stage', 'funding_stage') }} as dq_funding_stage__unknown_category
    from source

),

ranked as (

    select
        *,
        row_number() over (partition by account_id order by loaded_at desc, created_at desc) as account_row_number
    from renamed

),

flagged as (

    select
        account_id,
        account_name,
        website_domain,
        industry,
        industry_raw,
        country_code,
        country_raw,
        funding_stage,
        {{ plausible_employee_count('employee_count_raw') }} as employee_count,
        employee_count_raw,
        {{ plausible_annual_revenue('annual_revenue_raw') }} as annual_revenue_usd,
        uses_salesforce,
        uses_competitor,
        created_at,
        loaded_at,
        account_row_number = 1 as is_latest_record,
        industry_raw is null as dq_industry__missing,
        dq_industry__unknown_category,
        country_raw is null as dq_country__missing,
        dq_country__unknown_category,
        dq_funding_stage__unknown_category,
        employee_count_number is null as dq_employee_count__missing,
        dq_employee_count__not_finite,
        coalesce(not dq_employee_count__not_finite and employee_count_number not between 1 and 2500000, false)
            as dq_employee_count__out_of_range,
        {{ is_not_finite('annual_revenue_raw') }} as dq_annual_revenue__not_finite,
        coalesce(
            not {{ is_not_finite('annual_revenue_raw') }}
            and (annual_revenue_raw <= 0 or annual_revenue_raw >= {{ var('leadscore_max_annual_revenue_usd') }}),
            false
        ) as dq_annual_revenue__out_of_range,
        account_row_number > 1 as dq_account_id__duplicate
    from ranked

)

select * from flagged
