{#- Run at the start of every dbt invocation that selects a leadscore node (on-run-start): no configuration value can reach SQL
    unchecked. Schema and table names (which dbt's source() pastes between quotes without escaping)
    must be plain names; numeric vars must be numbers; timestamps must be parseable text. A bad value
    stops the run with one message naming the var and what to write instead. -#}

{% macro validate_configuration() %}
    {%- set problems = [] %}
    {%- set names = {'leadscore_raw_schema': var('leadscore_raw_schema', 'raw')} %}
    {%- for entity, table in (var('leadscore_crm_tables', {}) or {}).items() %}
        {%- do names.update({'crm_tables.' ~ entity: table}) %}
    {%- endfor %}
    {%- set lead_table = lead_table_config() %}
    {%- if lead_table %}
        {%- do names.update({
            'leadscore_lead_table.source_schema': lead_table.get('source_schema', 'raw'),
            'leadscore_lead_table.source_table': lead_table.get('source_table', 'leads'),
        }) %}
    {%- endif %}
    {%- for connector in ['salesforce', 'hubspot'] %}
        {%- do names.update({'leadscore_' ~ connector ~ '_schema': var('leadscore_' ~ connector ~ '_schema', connector)}) %}
        {%- for table, identifier in ((var('leadscore_connector_tables', {}) or {}).get(connector, {}) or {}).items() %}
            {%- do names.update({'leadscore_connector_tables.' ~ connector ~ '.' ~ table: identifier}) %}
        {%- endfor %}
    {%- endfor %}
    {%- set choices = {
        'leadscore_input_mode': ['crm', 'salesforce', 'hubspot', 'lead_table'],
        'leadscore_salesforce_conversion': ['opportunity', 'lead_converted'],
        'leadscore_hubspot_conversion': ['deal', 'salesqualifiedlead', 'opportunity', 'customer'],
        'leadscore_tree_reasons': ['shapley', 'saabas'],
        'leadscore_reasons_scope': ['all', 'open'],
    } %}
    {%- for name, allowed in choices.items() %}
        {%- if var(name, allowed[0]) not in allowed %}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ (var(name) | string | tojson) ~ ' must be one of: ' ~ allowed | join(', ')) %}
        {%- endif %}
    {%- endfor %}
    {%- for where, name in names.items() %}
        {%- if not lead_scoring.is_plain_relation_name(name) %}
            {%- do problems.append(
                'var ' ~ where ~ ' = ' ~ (name | string | tojson) ~ ' is not a plain schema or table name: '
                ~ 'use letters, digits, _, $, - or spaces (at most 128 characters, no quotes, semicolons or line breaks)'
            ) %}
        {%- endif %}
    {%- endfor %}

    {%- set numbers = {
        'leadscore_label_window_days': false, 'leadscore_max_open_days': false, 'leadscore_engagement_half_life_days': false,
        'leadscore_split_train_months': false, 'leadscore_split_validation_months': false, 'leadscore_split_test_months': false,
        'leadscore_clock_future_tolerance_hours': false, 'leadscore_history_outlier_days': false,
        'leadscore_max_annual_revenue_usd': false, 'leadscore_max_deal_amount_usd': false, 'leadscore_max_abs_numeric': false,
        'leadscore_value_per_conversion_usd': true, 'leadscore_hot_tier_capacity': true, 'leadscore_hot_tier_share': true,
        'leadscore_reason_min_contribution': false, 'leadscore_reason_cold_positive_min_contribution': false, 'leadscore_score_trend_points': true,
        'leadscore_monitoring_psi_alert': true, 'leadscore_monitoring_auc_drop_alert': true, 'leadscore_monitoring_min_conversions': true,
        'leadscore_monitoring_min_tier_rows': true, 'leadscore_monitoring_volume_change_alert': true,
    } %}
    {%- for name, nullable in numbers.items() %}
        {%- set value = var(name, none) %}
        {%- if value is none and not nullable %}
            {%- do problems.append('var ' ~ name ~ ' is required (a number)') %}
        {%- elif value is not none and (value is not number or value is boolean) %}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ (value | string | tojson) ~ ' must be a number') %}
        {%- endif %}
    {%- endfor %}
    {%- set hot_share = var('leadscore_hot_tier_share', none) %}
    {%- if hot_share is number and hot_share is not boolean and not (0 < hot_share <= 1) %}
        {%- do problems.append('var leadscore_hot_tier_share = ' ~ hot_share ~ ' must be above 0 and at most 1 (a share of the open leads), or null') %}
    {%- endif %}
    {%- for tier in var('leadscore_lead_tiers', []) %}
        {%- if tier.get('cost_usd') is not number or tier.get('cost_usd') is boolean %}
            {%- do problems.append('var leadscore_lead_tiers: cost_usd of tier ' ~ (tier.get('tier') | string | tojson) ~ ' must be a number') %}
        {%- endif %}
    {%- endfor %}

    {%- for name in ['leadscore_scoring_at', 'leadscore_history_start', 'leadscore_clock_now', 'leadscore_earliest_plausible_at'] %}
        {%- set value = var(name, none) %}
        {%- if value is not none and value != '' and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?', value | string) %}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ (value | string | tojson) ~ ' must be a timestamp like 2026-11-01 or 2026-11-01 12:00:00') %}
        {%- endif %}
    {%- endfor %}
    {%- if var('leadscore_earliest_plausible_at', none) in (none, '') %}
        {%- do problems.append('var leadscore_earliest_plausible_at is required (a date like 1990-01-01)') %}
    {%- endif %}

    {%- if problems %}
        {{ exceptions.raise_compiler_error('Configuration refused before any SQL ran:\n  - ' ~ problems | join('\n  - ')) }}
    {%- endif %}
{% endmacro %}

{#- A schema or table name that is safe between identifier quotes in every adapter. -#}
{% macro is_plain_relation_name(name) %}
    {{ return(name is string and modules.re.fullmatch('[A-Za-z0-9_$][A-Za-z0-9_$ -]{0,127}', name) is not none) }}
{% endmacro %}
