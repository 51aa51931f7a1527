{#- How CRM spellings map to canonical categories. Keys are the cleaned spelling (lower case,
    underscores as spaces, trimmed); a spelling not listed is "unrecognized" (flagged, kept, null).
    Extend a domain without editing this file through the var `leadscore_category_aliases`:
      vars: {leadscore_category_aliases: {industry: {"biotech": "healthcare"}}} -#}
{% macro category_map(domain) -%}
    {%- set maps = {
        'industry': {
            'software': 'software', 'sofware': 'software', 'saas': 'software',
            'fintech': 'fintech', 'fin tech': 'fintech', 'financial services': 'fintech',
            'healthcare': 'healthcare', 'health care': 'healthcare',
            'manufacturing': 'manufacturing', 'manufacturer': 'manufacturing',
            'retail': 'retail', 'retail & e-commerce': 'retail', 'e-commerce': 'retail',
            'education': 'education', 'edtech': 'education', 'higher education': 'education',
            'logistics': 'logistics', 'transportation & logistics': 'logistics',
            'media': 'media', 'media & entertainment': 'media',
            'government': 'government', 'public sector': 'government',
            'other': 'other', 'misc': 'other',
        },
        'country': {
            'us': 'US', 'usa': 'US', 'united states': 'US',
            'gb': 'GB', 'uk': 'GB', 'united kingdom': 'GB',
            'de': 'DE', 'germany': 'DE', 'deutschland': 'DE',
            'fr': 'FR', 'france': 'FR',
            'ca': 'CA', 'canada': 'CA',
            'nl': 'NL', 'netherlands': 'NL',
            'au': 'AU', 'australia': 'AU',
            'in': 'IN', 'india': 'IN',
            'br': 'BR', 'brazil': 'BR',
            'se': 'SE', 'sweden': 'SE',
            'sg': 'SG', 'singapore': 'SG',
        },
        'lead_source': {
            'organic search': 'organic_search', 'seo': 'organic_search',
            'paid search': 'paid_search', 'google ads': 'paid_search', 'adwords': 'paid_search',
            'paid social': 'paid_social', 'linkedin ads': 'paid_social',
            'referral': 'referral', 'customer referral': 'referral',
            'webinar': 'webinar',
            'content syndication': 'content_syndication',
            'events': 'events', 'event': 'events', 'trade show': 'events',
            'partner': 'partner', 'partner referral': 'partner',
        },
        'funding_stage': {
            'bootstrapped': 'bootstrapped', 'seed': 'seed', 'series a': 'series_a',
            'series b': 'series_b', 'series c plus': 'series_c_plus', 'public': 'public',
        },
        'activity_type': {
            'email open': 'email_open', 'email click': 'email_click', 'page view': 'page_view',
            'content download': 'content_download', 'webinar attended': 'webinar_attended',
            'demo requested': 'demo_requested', 'form submitted': 'form_submitted',
            'trial signup': 'trial_signup', 'sales meeting': 'sales_meeting',
        },
    } -%}
    {%- set merged = maps[domain].copy() -%}
    {%- do merged.update(var('leadscore_category_aliases', {}).get(domain, {})) -%}
    {{ return(merged) }}
{%- endmacro %}

{#- The canonical value of a raw category column, or null when missing or unrecognized. -#}
{% macro normalize_category(column, domain) -%}
    {%- set cleaned = 'lower(trim(replace(' ~ column ~ ", '_', ' ')))" -%}
    case {{ cleaned }}
        {%- for spelling, canonical in lead_scoring.category_map(domain).items() %}
        when {{ lead_scoring.sql_literal(spelling) }} then {{ lead_scoring.sql_literal(canonical) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- True when a raw value is present but maps to no known category. -#}
{% macro is_unrecognized_category(column, domain) -%}
    (nullif(trim({{ column }}), '') is not null and {{ lead_scoring.normalize_category(column, domain) }} is null)
{%- endmacro %}

{% macro free_email_domains() -%}
    {{ return(var('leadscore_free_email_domains', ['gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'icloud.com', 'aol.com', 'proton.me', 'gmx.de'])) }}
{%- endmacro %}
