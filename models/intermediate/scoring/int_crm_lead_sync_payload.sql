-- What the CRM receives per lead, with a hash of what a rep sees (status, tier, score, action, trend,
-- reasons): lead_score_changes logs when it changes, and the sync sends only those rows. The model
-- version is sent but not hashed, so a promotion re-sends only the leads whose visible fields changed.
with

scores as (

    select * from {{ ref('lead_scores') }}

),

reasons as (

    select * from {{ ref('lead_score_reasons') }}

),

reason_lists as (

    select
        lead_id,
        {{ dbt.listagg(
            "case when direction = 'positive' then '+ ' else '- ' end || reason_text",
            "'; '",
            'order by direction desc, reason_rank'
        ) }} as top_reasons
    from reasons
    group by lead_id

),

payload as (

    select
        scores.crm_record_id,
        scores.lead_id,
        scores.lead_status,
        scores.tier,
        scores.tier_rank,
        scores.score,
        scores.recommended_action,
        scores.score_trend,
        scores.model_version,
        coalesce(reason_lists.top_reasons, '') as top_reasons
    from scores
    left join reason_lists on scores.lead_id = reason_lists.lead_id

)

select
    *,
    {{ dbt.hash(
        "coalesce(lead_status, '') || '|' || coalesce(tier, '') || '|' || coalesce(cast(score as " ~ dbt.type_string() ~ "), '')"
        ~ " || '|' || coalesce(recommended_action, '') || '|' || coalesce(score_trend, '')"
        ~ " || '|' || top_reasons"
    ) }} as sync_hash
from payload
