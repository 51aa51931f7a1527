{#- Reading a table the way an ELT connector (Fivetran, Airbyte, Stitch) landed it.

    Each connector table is described once, in salesforce_tables() / hubspot_tables(): the columns
    staging needs, each with a type and the names connectors give it. At run time the table's real
    columns are read from the warehouse and matched case- and underscore-insensitively, so `who_id`
    (Fivetran), `WhoId` (Airbyte, Stitch) and `WHO_ID` (Snowflake) are one column. A host overrides a
    name with var leadscore_connector_columns: {salesforce: {lead: {email: Email__c}}}.

    - a column that is absent becomes a typed NULL (optional) or stops the build with one message
      naming the table, the column, the names tried and the var that maps it (required);
    - a table that is absent is an empty relation (optional: the message at parse time says which
      tables are optional) or stops the build (required);
    - every value is cast through try_cast where the dialect has it, so a timestamp that landed as
      text is read, and an unreadable one is NULL and counted by the staging flags, not a crash. -#}

{% macro connector_schema(connector) -%}
    {{ return(var('leadscore_' ~ connector ~ '_schema', connector)) }}
{%- endmacro %}

{#- The column name connectors use, reduced to compare: lower case, no underscores. -#}
{% macro connector_column_key(name) -%}
    {{ return(name | string | lower | replace('_', '') | replace('"', '')) }}
{%- endmacro %}

{% macro connector_type(kind) -%}
    {%- if kind == 'text' -%}{{ return(dbt.type_string()) }}
    {%- elif kind == 'timestamp' -%}{{ return(dbt.type_timestamp()) }}
    {%- elif kind == 'double' -%}{{ return(lead_scoring.type_double()) }}
    {%- elif kind == 'boolean' -%}{{ return(dbt.type_boolean()) }}
    {%- elif kind == 'bigint' -%}{{ return(dbt.type_bigint()) }}
    {%- else -%}{{ exceptions.raise_compiler_error('unknown connector column type ' ~ kind) }}
    {%- endif -%}
{%- endmacro %}

{#- A value cast to a type without failing the statement on one bad value (NULL instead). -#}
{% macro connector_cast(expression, kind) -%}
    {{ return(adapter.dispatch('connector_cast', 'lead_scoring')(expression, kind)) }}
{%- endmacro %}

{% macro default__connector_cast(expression, kind) -%}
    {%- if kind == 'text' -%}
        cast({{ expression }} as {{ lead_scoring.connector_type(kind) }})
    {%- else -%}
        try_cast({{ expression }} as {{ lead_scoring.connector_type(kind) }})
    {%- endif -%}
{%- endmacro %}

{% macro postgres__connector_cast(expression, kind) -%}
    {#- Postgres has no try_cast: text goes through a pattern check first. -#}
    {%- if kind == 'text' -%}
        cast({{ expression }} as text)
    {%- elif kind == 'boolean' -%}
        case
            when lower(trim(cast({{ expression }} as text))) in ('true', 't', '1', 'yes') then true
            when lower(trim(cast({{ expression }} as text))) in ('false', 'f', '0', 'no') then false
        end
    {%- elif kind == 'timestamp' -%}
        case
            when cast({{ expression }} as text) ~ '^\s*\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$'
                then cast(cast({{ expression }} as text) as timestamp)
        end
    {%- else -%}
        case
            when trim(cast({{ expression }} as text)) ~ '^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$'
                then cast(cast({{ expression }} as text) as {{ lead_scoring.connector_type(kind) }})
        end
    {%- endif -%}
{%- endmacro %}

{% macro spark__connector_cast(expression, kind) -%}
    {%- if kind == 'text' -%}
        cast({{ expression }} as string)
    {%- else -%}
        try_cast({{ expression }} as {{ lead_scoring.connector_type(kind) }})
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__connector_cast(expression, kind) -%}
    safe_cast({{ expression }} as {{ lead_scoring.connector_type(kind) }})
{%- endmacro %}

{#- Every table of a connector: {table: {'required': bool, 'columns': [[name, kind, [names], required], ...]}}. -#}
{% macro connector_tables(connector) -%}
    {{ return(lead_scoring.salesforce_tables() if connector == 'salesforce' else lead_scoring.hubspot_tables()) }}
{%- endmacro %}

{#- The identifier of a connector table: its own name unless var leadscore_connector_tables renames it. -#}
{% macro connector_identifier(connector, table) -%}
    {{ return(((var('leadscore_connector_tables', {}) or {}).get(connector, {}) or {}).get(table, table)) }}
{%- endmacro %}

{#- select <typed columns> from the connector table, with one row per landed row. -#}
{% macro connector_select(connector, table) -%}
    {%- set tables = lead_scoring.connector_tables(connector) -%}
    {%- set spec = tables[table] -%}
    {%- set relation_ref = source(connector, table) -%}
    {%- set overrides = (((var('leadscore_connector_columns', {}) or {}).get(connector, {}) or {}).get(table, {})) or {} -%}
    {%- set found = {} -%}
    {%- set relation = none -%}
    {%- if execute -%}
        {%- set relation = load_relation(relation_ref) -%}
        {#- sqlfluff compiles every model without a warehouse (.sqlfluff-salesforce sets this var). -#}
        {%- if relation is none and spec.required and not var('leadscore_lint_without_warehouse', false) -%}
            {%- set optional = [] -%}
            {%- set required = [] -%}
            {%- for name, other in tables.items() -%}
                {%- do (required if other.required else optional).append(name) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                'The ' ~ connector ~ ' table ' ~ relation_ref ~ ' does not exist. leadscore reads '
                ~ connector ~ ' as the connector lands it in schema ' ~ lead_scoring.connector_schema(connector)
                ~ ' (var leadscore_' ~ connector ~ '_schema). Required tables: ' ~ required | join(', ')
                ~ '; optional (read when present): ' ~ optional | join(', ')
                ~ '. Sync the table in your connector, or name yours with var leadscore_connector_tables: {'
                ~ connector ~ ': {' ~ table ~ ': <your table>}}.') }}
        {%- endif -%}
        {%- if relation is not none -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do found.update({lead_scoring.connector_column_key(column.name): column.name}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- set missing_required = [] -%}
    select
    {%- for name, kind, candidates, required in spec.columns %}
        {%- set names = [overrides[name]] if name in overrides else candidates -%}
        {#- Every landed column among the names, in order: the value is the first that is not NULL
            (Salesforce's CompletedDateTime, else CreatedDate). -#}
        {%- set matches = [] -%}
        {%- for candidate in names -%}
            {%- set key = lead_scoring.connector_column_key(candidate) -%}
            {%- if key in found and found[key] not in matches -%}
                {%- do matches.append(found[key]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if execute and relation is not none and required and not matches -%}
            {%- do missing_required.append(name ~ ' (tried ' ~ names | join(', ') ~ ')') -%}
        {%- endif %}
        {% if matches | length == 1 -%}
            {{ lead_scoring.connector_cast(lead_scoring.quote_identifier(matches[0]), kind) }}
        {%- elif matches -%}
            coalesce(
            {%- for match in matches -%}
                {{ lead_scoring.connector_cast(lead_scoring.quote_identifier(match), kind) }}{% if not loop.last %}, {% endif %}
            {%- endfor -%}
            )
        {%- else -%}
            cast(null as {{ lead_scoring.connector_type(kind) }})
        {%- endif %} as {{ name }},
        {#- A value that landed but does not read as its type (a timestamp in text the warehouse
            cannot parse, 'n/a' in a number): NULL above, counted in quality.connector_data_checks. #}
        {% if matches and kind != 'text' -%}
            (
            {%- for match in matches -%}
                (nullif(trim(cast({{ lead_scoring.quote_identifier(match) }} as {{ dbt.type_string() }})), '') is not null
                and {{ lead_scoring.connector_cast(lead_scoring.quote_identifier(match), kind) }} is null)
                {%- if not loop.last %} or {% endif %}
            {%- endfor -%}
            )
        {%- else -%}
            false
        {%- endif %} as dq_{{ name }}__unreadable{% if not loop.last %},{% endif %}
    {%- endfor %}
    {%- if missing_required %}
        {{ exceptions.raise_compiler_error(
            'The ' ~ connector ~ ' table ' ~ relation ~ ' has no column for: ' ~ missing_required | join('; ')
            ~ '. A connector version may have renamed it: map it with var leadscore_connector_columns: {'
            ~ connector ~ ': {' ~ table ~ ': {<column>: <your column>}}}.') }}
    {%- endif %}
    {%- if relation is not none or not execute %}
    from {{ relation_ref }}
    {%- else %}
    {#- An optional table that is not there: no rows, the same columns. #}
    where 1 = 0
    {%- endif %}
{%- endmacro %}

{#- One row per item of a delimited list column: select list_key, item from <relation> (items are
    not trimmed). Used for HubSpot's hs_merged_object_ids ('123;456'). -#}
{% macro split_to_rows(relation, key, column, delimiter=';') -%}
    {{ return(adapter.dispatch('split_to_rows', 'lead_scoring')(relation, key, column, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(relation, key, column, delimiter) -%}
    select
        {{ key }} as list_key,
        unnest(string_to_array({{ column }}, {{ lead_scoring.sql_literal(delimiter) }})) as item
    from {{ relation }}
    where {{ column }} is not null
{%- endmacro %}

{% macro spark__split_to_rows(relation, key, column, delimiter) -%}
    select {{ key }} as list_key, item
    from {{ relation }}
    lateral view explode(split({{ column }}, {{ lead_scoring.sql_literal(delimiter) }})) items as item
    where {{ column }} is not null
{%- endmacro %}

{% macro databricks__split_to_rows(relation, key, column, delimiter) -%}
    {{ return(lead_scoring.spark__split_to_rows(relation, key, column, delimiter)) }}
{%- endmacro %}

{% macro bigquery__split_to_rows(relation, key, column, delimiter) -%}
    select {{ key }} as list_key, item
    from {{ relation }}, unnest(split({{ column }}, {{ lead_scoring.sql_literal(delimiter) }})) as item
    where {{ column }} is not null
{%- endmacro %}

{% macro snowflake__split_to_rows(relation, key, column, delimiter) -%}
    select {{ key }} as list_key, items.value::string as item
    from {{ relation }}, lateral split_to_table({{ column }}, {{ lead_scoring.sql_literal(delimiter) }}) as items
    where {{ column }} is not null
{%- endmacro %}
