{#- The scores of one model version for every row of a relation with the feature mart's columns:
    lead_id, as_of_at, raw_score (the model's own log-odds), log_odds (after calibration) and
    probability. The SQL itself is generated, one implementation per adapter
    (macros/generated/scoring_models.sql). -#}
{% macro score_model(model_id, relation) -%}
    {#- sqlfluff lints the SQL around the scores; the generated SQL is too large to parse there. -#}
    {%- if var('lint_with_stub_scores', false) -%}
        {{ return('select lead_id, as_of_at, 0.0 as raw_score, 0.0 as log_odds, 0.5 as probability from ' ~ relation) }}
    {%- endif -%}
    {%- set implementation = context.get('score__' ~ model_id) if model_id else none -%}
    {%- if implementation is none -%}
        {{ exceptions.raise_compiler_error(
            "score_model: no generated SQL for model " ~ model_id
            ~ "; train with `leadscore train` or promote a saved version with `leadscore models promote`"
        ) }}
    {%- endif -%}
    {{ return(implementation(relation)) }}
{%- endmacro %}
