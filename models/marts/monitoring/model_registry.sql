-- Every model version the registry has known (artifacts/registry.json, written into the generated
-- macros by `leadscore train`, `models promote` and `models rollback`): its family, status, the
-- walk-forward estimate of its performance, what its served fit saw.
{{ rows_as_select(registry_value('model_registry_rows', []), [
    ('model_id', 'text'),
    ('model_family', 'text'),
    ('status', 'text'),
    ('walk_forward_auc', 'double'),
    ('fitted_on', 'text'),
    ('trained_through', 'text'),
]) }}
