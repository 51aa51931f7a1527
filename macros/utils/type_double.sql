{#- The 64-bit float type: `double precision` where the SQL standard name works (DuckDB, Postgres,
    Snowflake, Trino), `double` on Spark and Databricks, `float64` on BigQuery. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'lead_scoring')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}

{% macro databricks__type_double() -%}double{%- endmacro %}

{% macro bigquery__type_double() -%}float64{%- endmacro %}
