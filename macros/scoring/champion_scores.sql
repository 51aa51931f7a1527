{#- The champion's output (kind 'score' or 'contributions') for every row of a relation, with
    segment models taking over their segment when the registry has them (segment_models()), and a
    scored_by column naming the model version that scored each row. -#}
{% macro champion_scores(relation, kind='score') -%}
    {%- set scorer = lead_scoring.score_model if kind == 'score' else lead_scoring.score_contributions -%}
    {%- set segments = lead_scoring.registry_value('segment_models', []) -%}
    {%- set column = lead_scoring.registry_value('segment_column') -%}
    {%- set champion = lead_scoring.registry_value('champion_model_id') -%}
    {%- if segments | length == 0 %}
    select
        {{ lead_scoring.sql_literal(champion) }} as scored_by,
        global_scores.*
    from ({{ scorer(champion, relation) }}) as global_scores
    {%- else -%}
        {%- set values = [] -%}
        {%- for value, model_id in segments %}
            {%- do values.append(value) %}
    select
        {{ lead_scoring.sql_literal(model_id) }} as scored_by,
        segment_scores.*
    from ({{ scorer(model_id, '(select * from ' ~ relation ~ ' as segment_input where ' ~ column ~ ' = ' ~ lead_scoring.sql_literal(value) ~ ')') }}) as segment_scores
    union all
        {%- endfor %}
    select
        {{ lead_scoring.sql_literal(champion) }} as scored_by,
        fallback_scores.*
    from ({{ scorer(champion, '(select * from ' ~ relation ~ ' as segment_input where ' ~ column ~ ' is null or ' ~ column ~ ' not in ' ~ lead_scoring.sql_literal_list(values) ~ ')') }}) as fallback_scores
    {%- endif %}
{%- endmacro %}
