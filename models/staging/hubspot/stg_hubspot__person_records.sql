-- Every HubSpot contact row the connector landed, and the person it belongs to. A person is a live
-- contact; a contact merged into another (contact_merge_audit, or listed in another contact's
-- hs_merged_object_ids) belongs to the canonical contact's person, since HubSpot moved its
-- engagements there; deleted rows and inactive history versions belong to no one.
-- quality.connector_row_accounting counts every outcome.
with

contacts as (

    select * from {{ ref('base_hubspot__contact') }}

),

merge_audit as (

    select
        canonical_id,
        merged_id
    from {{ ref('base_hubspot__contact_merge_audit') }}
    where not is_removed and not is_inactive_version and canonical_id <> merged_id

),

listed_merges as (

    {{ split_to_rows(ref('base_hubspot__contact'), 'id', 'merged_object_ids') }}

),

merge_pairs as (

    select
        merged_id,
        canonical_id
    from merge_audit
    union all
    select
        trim(item) as merged_id,
        list_key as canonical_id
    from listed_merges
    where trim(item) <> '' and trim(item) <> list_key

),

merged_into as (

    select
        merged_id,
        min(canonical_id) as canonical_id
    from merge_pairs
    group by merged_id

)

select
    'contact' as source_table,
    contacts.id as record_id,
    case
        when contacts.is_removed then 'deleted'
        when contacts.is_inactive_version then 'history_version'
        when merged_into.canonical_id is not null then 'merged'
        else 'person'
    end as outcome,
    case
        when contacts.is_removed or contacts.is_inactive_version then null
        else coalesce(merged_into.canonical_id, contacts.id)
    end as person_id
from contacts
left join merged_into on contacts.id = merged_into.merged_id
