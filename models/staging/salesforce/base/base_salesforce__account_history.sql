-- salesforce `account_history` as the connector landed it: typed columns (macros/connectors/salesforce_tables.sql) and
-- the removal flags every row is accounted by (quality.connector_row_accounting).
with

source as (

    {{ connector_select('salesforce', 'account_history') }}

)

select
    *,
    coalesce(is_deleted, false) or coalesce(connector_deleted, false) as is_removed,
    not coalesce(is_active_version, true) as is_inactive_version
from source
