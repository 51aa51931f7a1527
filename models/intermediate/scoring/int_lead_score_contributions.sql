-- Exact per-feature contributions to each lead's log-odds, from the model that scored it.
with

contributions as (

    {{ champion_scores(feature_mart(), kind='contributions') }}

)

select
    lead_id,
    scored_by as model_version,
    cast(bias as {{ type_double() }}) as bias,
    {%- for feature in lead_feature_columns() %}
    cast(contribution__{{ feature }} as {{ type_double() }}) as contribution__{{ feature }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from contributions
