-- Every promote, rollback and retrain, in order: when, the champion and challenger it set, and why.
{{ rows_as_select(registry_value('model_decision_rows', []), [
    ('decision_number', 'integer'),
    ('decided_at', 'timestamp'),
    ('champion_model_id', 'text'),
    ('challenger_model_id', 'text'),
    ('reason', 'text'),
]) }}
