{#- Run before the models that evaluate the generated scoring SQL. PostgreSQL's JIT compiles a
    1000-tree CASE for longer than it takes to run it (31 s vs 6 s on 100,000 rows, see
    BENCHMARKS.md), so it is switched off for that transaction only. -#}
{% macro scoring_session_settings() -%}
    {{ return(adapter.dispatch('scoring_session_settings', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__scoring_session_settings() -%}
{%- endmacro %}

{% macro postgres__scoring_session_settings() -%}
    set local jit = off
{%- endmacro %}
