{#- Job title -> seniority and function. Word lists live here so a newcomer can extend them;
    the first matching level wins (vice president before president). Unit-tested in staging. -#}
{% macro seniority_words() -%}
    {{ return([
        ('vp', ['vp', 'svp', 'evp', 'avp', 'vice president', 'v p']),
        ('c_level', ['chief', 'ceo', 'cto', 'cio', 'cfo', 'coo', 'cmo', 'cro', 'ciso', 'founder', 'cofounder', 'owner', 'president', 'partner']),
        ('director', ['director', 'dir', 'head of', 'head']),
        ('manager', ['manager', 'mgr', 'team lead', 'lead', 'supervisor']),
    ]) }}
{%- endmacro %}

{% macro job_function_words() -%}
    {{ return([
        ('it', ['it', 'information technology', 'infrastructure', 'security', 'sysadmin', 'network', 'cio', 'ciso', 'systems']),
        ('engineering', ['engineering', 'eng', 'engineer', 'technology', 'technical', 'developer', 'devops', 'software', 'platform', 'backend', 'frontend', 'cto', 'data']),
        ('marketing', ['marketing', 'growth', 'demand', 'content', 'brand', 'cmo']),
        ('sales', ['sales', 'business development', 'revenue', 'account executive', 'sdr', 'bdr', 'cro']),
        ('finance', ['finance', 'financial', 'accountant', 'accounting', 'cfo', 'controller']),
        ('operations', ['operations', 'ops', 'coo', 'project']),
    ]) }}
{%- endmacro %}

{% macro placeholder_titles() -%}
    {{ return(['', 'n a', 'na', 'none', 'unknown', 'null', 'tbd']) }}
{%- endmacro %}

{% macro seniority_from_title(job_title) -%}
    {%- set words = lead_scoring.words_only(job_title) -%}
    case
        when trim({{ words }}) in {{ lead_scoring.sql_literal_list(lead_scoring.placeholder_titles()) }} then 'unknown'
        {%- for level, phrases in lead_scoring.seniority_words() %}
        when {{ lead_scoring.has_any_word(words, phrases) }} then {{ lead_scoring.sql_literal(level) }}
        {%- endfor %}
        else 'individual_contributor'
    end
{%- endmacro %}

{% macro job_function_from_title(job_title) -%}
    {%- set words = lead_scoring.words_only(job_title) -%}
    case
        when trim({{ words }}) in {{ lead_scoring.sql_literal_list(lead_scoring.placeholder_titles()) }} then 'unknown'
        {%- for function, phrases in lead_scoring.job_function_words() %}
        when {{ lead_scoring.has_any_word(words, phrases) }} then {{ lead_scoring.sql_literal(function) }}
        {%- endfor %}
        else 'other'
    end
{%- endmacro %}
