{#- lead_training_scores scores every labelled snapshot with the champion and the challenger: the
    most expensive node at scale (58 s of a 204 s scoring build at 1,000,000 leads). Between two
    trainings most snapshots neither change nor change model, so the model is incremental: a build
    scores only the snapshots that are new, whose training-mart row changed (any column: a digest of
    the row, scored_inputs_hash), or that models other than the registry's scored
    (scored_with_models_key); then it deletes the snapshots gone from the mart. A promotion changes
    the key, so every row is rescored; `dbt build --full-refresh` rebuilds the table whole. -#}

{#- Incremental where the table format can delete and insert; Apache Spark's default format
    (Parquet) can only append or overwrite, so there it stays a table, rebuilt each build. -#}
{% macro training_scores_materialization() -%}
    {{ return(adapter.dispatch('training_scores_materialization', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__training_scores_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__training_scores_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- delete+insert where the adapter has it; BigQuery and Databricks merge on the key. -#}
{% macro training_scores_strategy() -%}
    {{ return(adapter.dispatch('training_scores_strategy', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__training_scores_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro bigquery__training_scores_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro databricks__training_scores_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{#- A digest of the models that score the rows now: champion, challenger and segment models. -#}
{% macro training_scores_models_key() -%}
    {%- set models = [
        lead_scoring.registry_value('champion_model_id'),
        lead_scoring.registry_value('challenger_model_id'),
        lead_scoring.registry_value('segment_column'),
        lead_scoring.registry_value('segment_models', []),
    ] -%}
    {{ return(local_md5(tojson(models))) }}
{%- endmacro %}

{#- A digest of every column of a row, as text. The columns are the relation's own, read from the
    warehouse when the model runs. -#}
{% macro row_fingerprint(alias, relation) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    {{ return(adapter.dispatch('row_fingerprint', 'lead_scoring')(alias, columns)) }}
{%- endmacro %}

{#- md5 of the values cast to text, each prefixed with its length (NULL reads 'n'), so no two
    different rows spell the same text. -#}
{% macro default__row_fingerprint(alias, columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set value = 'cast(' ~ alias ~ '.' ~ adapter.quote(column.name) ~ ' as ' ~ dbt.type_string() ~ ')' -%}
        {%- do parts.append("coalesce(cast(length(" ~ value ~ ") as " ~ dbt.type_string() ~ ") || ':' || " ~ value ~ ", 'n')") -%}
    {%- endfor -%}
    {{ return(dbt.hash(parts | join(" || '|' || ") if parts else "''")) }}
{%- endmacro %}

{#- DuckDB hashes the values themselves (64 bits, no text casts): a fifth of the md5's time on
    268,180 rows of 40 columns. A DuckDB upgrade that changed its hash would rescore every row once. -#}
{% macro duckdb__row_fingerprint(alias, columns) -%}
    {%- set values = [] -%}
    {%- for column in columns -%}
        {%- do values.append(alias ~ '.' ~ adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ return('cast(hash(' ~ (values | join(', ') if values else "''") ~ ') as ' ~ dbt.type_string() ~ ')') }}
{%- endmacro %}

{#- The training-mart rows an incremental build scores, as a parenthesised subquery (what the scoring
    macros take): new, changed, or scored by other models. A table built before these columns existed
    is rescored whole (on_schema_change adds them). -#}
{% macro training_scores_to_score(scores, mart) -%}
    {%- set existing = adapter.get_columns_in_relation(scores) | map(attribute='name') | map('lower') | list -%}
    {%- if 'scored_inputs_hash' not in existing or 'scored_with_models_key' not in existing -%}
        {{ return(mart) }}
    {%- endif -%}
    {%- set subquery -%}
(select mart.*
from {{ mart }} as mart
left join {{ scores }} as scored
    on mart.lead_id = scored.lead_id and mart.as_of_at = scored.as_of_at
where
    scored.lead_id is null
    or scored.scored_with_models_key <> {{ lead_scoring.sql_literal(lead_scoring.training_scores_models_key()) }}
    or scored.scored_inputs_hash <> {{ lead_scoring.row_fingerprint('mart', mart) }})
    {%- endset -%}
    {{ return(subquery) }}
{%- endmacro %}

{#- Post-hook: the snapshots gone from the training mart leave the scores too (incremental builds). -#}
{% macro delete_training_scores_gone(scores, mart) -%}
    {%- if is_incremental() -%}
delete from {{ scores }}
where not exists (
    select 1
    from {{ mart }} as mart
    where mart.lead_id = {{ scores.identifier }}.lead_id and mart.as_of_at = {{ scores.identifier }}.as_of_at
)
    {%- endif -%}
{%- endmacro %}
