{#- Run before (and after) the models that evaluate the generated scoring SQL.
    PostgreSQL's JIT compiles a 1000-tree CASE for longer than it takes to run it (31 s vs 6 s on
    100,000 rows, see BENCHMARKS.md), so it is switched off for that transaction only.
    Spark fuses a whole stage into one generated Java method; a tree ensemble's CASE expressions make
    it larger than the JVM's 64 KB method limit, so Spark logs a compile failure and falls back. With
    whole-stage code generation off for these models each expression compiles on its own: the demo
    champion over 85,384 rows took 2.5 s instead of 5.0 s (13.6 s on the first run). The session
    setting is restored after the model. -#}
{% macro scoring_session_settings() -%}
    {{ return(adapter.dispatch('scoring_session_settings', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__scoring_session_settings() -%}
{%- endmacro %}

{% macro postgres__scoring_session_settings() -%}
    set local jit = off
{%- endmacro %}

{% macro spark__scoring_session_settings() -%}
    set spark.sql.codegen.wholeStage = false
{%- endmacro %}

{% macro scoring_session_reset() -%}
    {{ return(adapter.dispatch('scoring_session_reset', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__scoring_session_reset() -%}
{%- endmacro %}

{% macro spark__scoring_session_reset() -%}
    set spark.sql.codegen.wholeStage = true
{%- endmacro %}

{#- Run before (and after) the model that evaluates the generated reasons SQL
    (int_lead_score_contributions): the scoring session's settings, and on DuckDB three optimizer
    passes off. A TreeSHAP reasons statement is megabytes of arithmetic, and DuckDB's fixed cost of
    a statement (parse, bind, optimize) is most of what it costs on tens of thousands of rows. The
    demo's (164 trees x 15 leaves, 3.9 MB), two runs each on 2 cores: one row 32.1 s and 29.8 s
    with every pass, 19.3 s and 20.7 s with these three off; 107,485 rows 64.1 s and 70.5 s, then
    59.1 s and 60.0 s. Turning projection placement and common subexpressions off as well saved no
    more on one row and ran the rows slower (68.1 s). Plans change, never results. The list is
    leadscore.warehouse.duckdb_warehouse.REASONS_DISABLED_OPTIMIZERS, which training's check of the
    reasons SQL runs with too. -#}
{% macro reasons_session_settings() -%}
    {{ return(adapter.dispatch('reasons_session_settings', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__reasons_session_settings() -%}
    {{ return(scoring_session_settings()) }}
{%- endmacro %}

{% macro duckdb__reasons_session_settings() -%}
    set disabled_optimizers = 'expression_rewriter,statistics_propagation,unused_columns'
{%- endmacro %}

{% macro reasons_session_reset() -%}
    {{ return(adapter.dispatch('reasons_session_reset', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__reasons_session_reset() -%}
    {{ return(scoring_session_reset()) }}
{%- endmacro %}

{% macro duckdb__reasons_session_reset() -%}
    reset disabled_optimizers
{%- endmacro %}
