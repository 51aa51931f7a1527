{#- A generated scoring statement too large for the warehouse (python/leadscore/transpile/budgets.py)
    arrives as batch statements over the trees and a final statement that adds their partial sums.
    Each batch is built as a table when the calling model runs, named after the model, the scoring
    model and the input relation (so two calls in one model never share a table), and the final
    statement is returned with those names in place of its part placeholders. -#}
{% macro split_statement(name, relation, parts, final) %}
    {%- set ns = namespace(sql=final) -%}
    {%- set call = local_md5(name ~ '|' ~ relation)[:12] -%}
    {%- for part in parts -%}
        {%- set part_relation = api.Relation.create(
            database=this.database,
            schema=this.schema,
            identifier=this.identifier[:20] ~ '__' ~ call ~ '_p' ~ loop.index0,
            type='table'
        ) -%}
        {%- if execute and flags.WHICH in ('run', 'build') -%}
            {%- do adapter.drop_relation(part_relation) -%}
            {%- do run_query(get_create_table_as_sql(False, part_relation, part)) -%}
        {%- endif -%}
        {%- set ns.sql = ns.sql | replace('__scoring_part_' ~ loop.index0 ~ '__', part_relation | string) -%}
    {%- endfor -%}
    {{ return(ns.sql) }}
{% endmacro %}
