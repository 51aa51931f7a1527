-- Where every raw lead row went: one row per raw row, with the stage it reached and why it stopped.
-- outcome: synced (scored and in the CRM feed); scored_not_synced (scored, but no CRM record id, or
-- one shared with another lead, which leadscore sync refuses); merged (another record of the same
-- person is scored: merged_into_lead_id); superseded (an older or conflicting version of a lead id
-- whose winning version has its own row); unscored (reason says why).
with

leads as (

    select * from {{ ref('int_leads_validated') }}

),

features as (

    select lead_id from {{ ref('lead_features') }}

),

scores as (

    select lead_id from {{ ref('lead_scores') }}

),

feed as (

    -- What scoring.crm_lead_sync selects (read from its source so a failing feed test, e.g. a
    -- shared CRM record id, does not skip the accounting that explains it).
    select lead_id from {{ ref('int_crm_lead_sync_payload') }}
    where crm_record_id is not null

),

staged as (

    select
        leads.lead_id,
        leads.crm_record_id,
        leads.loaded_at,
        leads.lead_row_number,
        leads.is_latest_record,
        leads.is_duplicate,
        leads.is_scorable,
        leads.canonical_lead_id,
        leads.dq_created_at__missing,
        leads.dq_created_at__in_future,
        leads.dq_created_at__implausible,
        leads.dq_lead_id__conflicting,
        leads.dq_crm_record_id__missing,
        leads.dq_crm_record_id__shared,
        features.lead_id is not null and leads.is_scorable as is_in_features,
        scores.lead_id is not null and leads.is_scorable as is_in_lead_scores,
        feed.lead_id is not null and leads.is_scorable as is_in_sync_feed
    from leads
    left join features on leads.lead_id = features.lead_id
    left join scores on leads.lead_id = scores.lead_id
    left join feed on leads.lead_id = feed.lead_id

)

select
    lead_id,
    crm_record_id,
    loaded_at,
    lead_row_number,
    case
        when not is_latest_record then 'superseded'
        when is_duplicate then 'merged'
        when not is_scorable then 'unscored'
        when is_in_sync_feed and not dq_crm_record_id__shared then 'synced'
        when is_in_lead_scores then 'scored_not_synced'
        else 'unscored'
    end as outcome,
    case
        when not is_latest_record and dq_lead_id__conflicting
            then 'conflicting version of the same lead id and load time; lost the documented tie-break'
        when not is_latest_record then 'older extract of the lead id; its newest version is used'
        when is_duplicate then 'same e-mail as an earlier lead (merged_into_lead_id)'
        when dq_created_at__missing then 'created_at is missing'
        when dq_created_at__in_future then 'created_at is after the scoring time'
        when dq_created_at__implausible then 'created_at is implausible (before int_scoring_clock.plausible_created_from)'
        when is_in_sync_feed and not dq_crm_record_id__shared then null
        when is_in_lead_scores and dq_crm_record_id__missing then 'no crm_record_id: cannot be written back to the CRM'
        when is_in_lead_scores and dq_crm_record_id__shared
            then 'crm_record_id shared with another lead: leadscore sync refuses the feed until it is fixed'
        when is_in_lead_scores then 'scored but missing from crm_lead_sync'
        {%- if lead_scoring.registry_value('champion_model_id') is none %}
        when is_in_features then 'no model trained yet: run leadscore train'
        {%- endif %}
        when is_in_features then 'has features but no score'
        else 'scorable but missing from lead_features'
    end as reason,
    case when is_latest_record and is_duplicate then canonical_lead_id end as merged_into_lead_id,
    is_in_features,
    is_in_lead_scores,
    is_in_sync_feed
from staged
