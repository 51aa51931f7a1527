{#- on-run-start: the feedback table the CRM writes back (source crm.crm_lead_feedback), created
    empty when missing so a project without feedback still builds. CRM mode only. -#}
{% macro create_feedback_table_if_missing() -%}
    {%- if execute and not lead_scoring.is_lead_table_mode() -%}
        {%- set schema = var('leadscore_raw_schema', 'raw') -%}
        {#- Spark has no database level: target.database is undefined there. -#}
        {%- set database = target.database if target.database is defined else none -%}
        {%- set identifier = var('leadscore_crm_tables', {}).get('feedback', 'crm_lead_feedback') -%}
        {%- set relation = api.Relation.create(database=database, schema=schema, identifier=identifier) -%}
        {%- if adapter.get_relation(database=database, schema=schema, identifier=identifier) is none -%}
            {%- do adapter.create_schema(api.Relation.create(database=database, schema=schema)) -%}
            {%- call statement("create_feedback_table") -%}
                create table {{ relation }} (
                    lead_id {{ dbt.type_string() }},
                    flag {{ dbt.type_string() }},
                    comment {{ dbt.type_string() }},
                    flagged_at {{ dbt.type_timestamp() }}
                )
            {%- endcall -%}
            {%- do adapter.commit() -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
