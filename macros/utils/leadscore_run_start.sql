{#- The package's on-run-start. In a host project every package's hooks run on every invocation,
    so this one acts only when the invocation selects a node of this package: the configuration
    check (validate_configuration), the CRM tables' columns on build, run and test
    (check_crm_columns) and the feedback table (create_feedback_table_if_missing). A host's
    `dbt run -s its_own_model`, `dbt seed` of its seeds or a build with leadscore excluded runs no
    leadscore check and creates nothing. A host may also call these macros itself. -#}
{% macro leadscore_run_start() -%}
    {%- if execute and lead_scoring.leadscore_nodes_selected() -%}
        {%- do lead_scoring.validate_configuration() -%}
        {%- if flags.WHICH in ['build', 'run', 'test'] -%}
            {%- do lead_scoring.check_crm_columns() -%}
        {%- endif -%}
        {%- do lead_scoring.create_feedback_table_if_missing() -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- True when the invocation selects at least one model, seed, snapshot or test of this package
    (selected_resources holds unique ids like model.lead_scoring.lead_scores). -#}
{% macro leadscore_nodes_selected() -%}
    {%- set package = 'lead_scoring' -%}
    {%- for unique_id in selected_resources -%}
        {%- if unique_id.split('.')[1] == package -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
