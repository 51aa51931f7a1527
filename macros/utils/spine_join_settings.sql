{#- Run before (and after) a model that left-joins several tables as large as its spine to it
    (int_lead_features_as_of: every snapshot with its engagement, account engagement, legacy points
    and attributes as of then). DuckDB estimates the spine (snapshots of scorable leads) at about a
    tenth of its rows, so its build-side optimizer hashes the spine, not the joined tables, at every
    join: a hash table of every column so far per join. Under a memory limit that fails ("failed to
    pin block": 1,000,000 leads at 4 GB; 100,000 leads at 400 MB), and without one it costs twice
    the time. With that optimizer off the joined tables are the build sides, as the SQL is written:
    100,000 leads at 400 MB then build it in 1.0 s, where the default needed 1.9 s and 1 GB.
    The setting is global to the DuckDB database, so a model running beside this one in another
    dbt thread runs without the optimizer too (its plan, never its result, changes); it is reset
    after the model. -#}
{% macro spine_join_settings() -%}
    {{ return(adapter.dispatch('spine_join_settings', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__spine_join_settings() -%}
{%- endmacro %}

{% macro duckdb__spine_join_settings() -%}
    set disabled_optimizers = 'build_side_probe_side'
{%- endmacro %}

{% macro spine_join_reset() -%}
    {{ return(adapter.dispatch('spine_join_reset', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__spine_join_reset() -%}
{%- endmacro %}

{% macro duckdb__spine_join_reset() -%}
    reset disabled_optimizers
{%- endmacro %}
