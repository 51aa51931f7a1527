{#- The scores of one model version for every row of a relation with the feature mart's columns:
    lead_id, as_of_at, raw_score (the model's own log-odds), log_odds (after calibration) and
    probability. The SQL itself is generated, one implementation per adapter
    (generated/<instance>/scoring_models.sql). -#}
{% macro score_model(model_id, relation) -%}
    {#- sqlfluff lints the SQL around the scores; the generated SQL is too large to parse there. -#}
    {%- if var('leadscore_lint_with_stub_scores', false) -%}
        {{ return('select lead_id, as_of_at, 0.0 as raw_score, 0.0 as log_odds, 0.5 as probability from ' ~ relation) }}
    {%- endif -%}
    {%- if model_id is none -%}
        {#- No model trained for this project yet: the score models build empty (and the warn test
            leadscore_model_is_trained says why), so a host's first `dbt build` succeeds. -#}
        {{ return('select lead_id, as_of_at, ' ~ lead_scoring.untrained_columns(['raw_score', 'log_odds', 'probability']) ~ ' from ' ~ relation ~ ' as untrained_input where 1 = 0') }}
    {%- endif -%}
    {%- set implementation = context.get('score__' ~ model_id) -%}
    {%- if implementation is none and execute -%}
        {{ exceptions.raise_compiler_error(
            "score_model: no generated SQL for model " ~ model_id
            ~ "; train with `leadscore train` or promote a saved version with `leadscore models promote`"
        ) }}
    {%- endif -%}
    {{ return(implementation(relation) if implementation is not none else '') }}
{%- endmacro %}

{#- Per-feature contributions of one model version to its calibrated log-odds: lead_id, as_of_at,
    bias and contribution__<feature> for every feature; bias + their sum = log_odds exactly.
    A tree model trained with `--reasons shapley` has its exact Shapley values (TreeSHAP) and the
    Saabas path contributions beside them; the var leadscore_tree_reasons: saabas switches to those,
    without retraining (a version with one kind of reasons, such as a linear model or one trained
    with Saabas reasons, keeps its own). -#}
{% macro score_contributions(model_id, relation) -%}
    {%- if var('leadscore_lint_with_stub_scores', false) -%}
        {%- set columns = [] -%}
        {%- for feature in lead_scoring.lead_feature_columns() -%}
            {%- do columns.append('0.0 as contribution__' ~ feature) -%}
        {%- endfor -%}
        {{ return('select lead_id, as_of_at, 0.0 as bias, ' ~ columns | join(', ') ~ ' from ' ~ relation) }}
    {%- endif -%}
    {%- if model_id is none -%}
        {%- set columns = ['bias'] -%}
        {%- for feature in lead_scoring.lead_feature_columns() -%}
            {%- do columns.append('contribution__' ~ feature) -%}
        {%- endfor -%}
        {{ return('select lead_id, as_of_at, ' ~ lead_scoring.untrained_columns(columns) ~ ' from ' ~ relation ~ ' as untrained_input where 1 = 0') }}
    {%- endif -%}
    {%- set method = var('leadscore_tree_reasons', 'shapley') -%}
    {%- if method not in ['shapley', 'saabas'] -%}
        {{ exceptions.raise_compiler_error(
            "var leadscore_tree_reasons is " ~ (method | string) ~ ": set it to shapley (the default) or saabas"
        ) }}
    {%- endif -%}
    {%- set implementation = context.get('contributions__' ~ model_id) -%}
    {%- if method == 'saabas' and context.get('contributions_saabas__' ~ model_id) is not none -%}
        {%- set implementation = context.get('contributions_saabas__' ~ model_id) -%}
    {%- endif -%}
    {%- if implementation is none and execute -%}
        {{ exceptions.raise_compiler_error("score_contributions: no generated SQL for model " ~ model_id) }}
    {%- endif -%}
    {{ return(implementation(relation) if implementation is not none else '') }}
{%- endmacro %}

{#- Typed NULL doubles named as the generated SQL names its outputs (the empty result of an untrained project). -#}
{% macro untrained_columns(names) -%}
    {%- set columns = [] -%}
    {%- for name in names -%}
        {%- do columns.append('cast(null as ' ~ lead_scoring.type_double() ~ ') as ' ~ name) -%}
    {%- endfor -%}
    {{ return(columns | join(', ')) }}
{%- endmacro %}
