{{ config(
    severity='warn',
    meta={'alert': 'No lead-scoring model is trained for this project yet: the score views are empty. Run `leadscore train`, then `dbt build` again.'}
) }}
-- Warns (one row) while no champion is trained for this project: until `leadscore train` writes
-- the generated scoring macros, the score models build empty instead of failing the host's build.
select 'no champion trained' as problem
where {{ 'true' if lead_scoring.registry_value('champion_model_id') is none else 'false' }}
