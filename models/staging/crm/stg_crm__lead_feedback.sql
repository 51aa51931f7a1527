-- Sales' feedback on scores (source crm.crm_lead_feedback): typed and normalised; flags other than
-- wrong_score and mislabeled are kept and marked unknown, never dropped.
with

source as (

    select * from {{ source('crm', 'crm_lead_feedback') }}

),

renamed as (

    select
        {{ text_id('lead_id') }} as lead_id,
        lower(trim(cast(flag as {{ dbt.type_string() }}))) as flag,
        cast(comment as {{ dbt.type_string() }}) as feedback_comment,
        cast(flagged_at as timestamp) as flagged_at
    from source

)

select
    lead_id,
    flag,
    feedback_comment,
    flagged_at,
    coalesce(flag in ('wrong_score', 'mislabeled'), false) as is_known_flag
from renamed
