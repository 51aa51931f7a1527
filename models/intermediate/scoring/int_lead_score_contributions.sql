-- Exact per-feature contributions to each lead's log-odds, from the model that scored it, beside
-- the feature values they explain (so the reasons view unpivots one table instead of joining the
-- feature mart once per feature: 31 joins took Spark 45 s on 1,500 leads). Var
-- leadscore_reasons_scope: open explains only the open leads (the ones a rep works). The session
-- settings make a TreeSHAP statement cheaper to plan (macros/scoring/scoring_session.sql).
{{ config(pre_hook="{{ reasons_session_settings() }}", post_hook="{{ reasons_session_reset() }}") }}
{%- set explained_leads = feature_mart() if var('leadscore_reasons_scope', 'all') == 'all'
    else '(select * from ' ~ feature_mart() ~ ' where is_open)' %}

with

contributions as (

    {{ champion_scores(explained_leads, kind='contributions') }}

),

features as (

    select explained_lead.* from {{ explained_leads }} as explained_lead

)

select
    contributions.lead_id,
    contributions.scored_by as model_version,
    cast(contributions.bias as {{ type_double() }}) as bias,
    {%- for feature in lead_feature_columns() %}
    cast(contributions.contribution__{{ feature }} as {{ type_double() }}) as contribution__{{ feature }},
    {%- endfor %}
    {%- for feature in lead_feature_columns() %}
    features.{{ feature }} as value__{{ feature }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from contributions
inner join features on contributions.lead_id = features.lead_id
