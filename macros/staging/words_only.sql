{#- Lower case, every run of non-alphanumerics replaced by one space, padded with spaces so that
    `like '% vp %'` matches whole words in any dialect. -#}
{% macro words_only(expression) -%}
    {{ return(adapter.dispatch('words_only', 'lead_scoring')(expression)) }}
{%- endmacro %}

{% macro default__words_only(expression) -%}
    (' ' || regexp_replace(lower(coalesce({{ expression }}, '')), '[^a-z0-9]+', ' ', 'g') || ' ')
{%- endmacro %}

{% macro snowflake__words_only(expression) -%}
    (' ' || regexp_replace(lower(coalesce({{ expression }}, '')), '[^a-z0-9]+', ' ') || ' ')
{%- endmacro %}

{% macro bigquery__words_only(expression) -%}
    concat(' ', regexp_replace(lower(coalesce({{ expression }}, '')), r'[^a-z0-9]+', ' '), ' ')
{%- endmacro %}

{% macro spark__words_only(expression) -%}
    concat(' ', regexp_replace(lower(coalesce({{ expression }}, '')), '[^a-z0-9]+', ' '), ' ')
{%- endmacro %}

{#- True when the padded words contain any of the phrases (each matched as whole words). -#}
{% macro has_any_word(padded_words, phrases) -%}
    ({% for phrase in phrases %}{{ padded_words }} like {{ lead_scoring.sql_literal('% ' ~ phrase ~ ' %') }}{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}
