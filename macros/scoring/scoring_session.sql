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
