"""The same data and vars give the same bytes: two `dbt build`s of one warehouse leave every relation
identical, row for row and bit for bit (no wall clock stored, float sums made order-free)."""

from __future__ import annotations


def _fingerprints(connection) -> dict[str, tuple]:
    """Per relation: the row count and an order-free sum of row hashes (DuckDB's hash of the row)."""
    relations = connection.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema not in ('raw', 'leadscore_sync', 'main') order by 1, 2"
    )
    fingerprints = {}
    for schema, name in relations.itertuples(index=False):
        row = connection.query(
            f'select count(*) as n, cast(sum(hash(t)) as varchar) as h from "{schema}"."{name}" as t'
        ).iloc[0]
        fingerprints[f"{schema}.{name}"] = (int(row["n"]), row["h"])
    return fingerprints


def test_two_builds_of_the_same_data_give_identical_relations(trained_warehouse):
    warehouse, _ = trained_warehouse
    builds = []
    for _ in range(2):
        warehouse.dbt("build")
        connection = warehouse.connect()
        try:
            builds.append(_fingerprints(connection))
        finally:
            connection.close()
    first, second = builds
    assert len(first) > 40 and any(key.startswith("monitoring.") for key in first)
    assert "intermediate.int_scoring_clock" in first and "scoring.account_scores" in first
    changed = sorted(key for key in first if first[key] != second.get(key))
    assert changed == [], f"relations that differ between two builds of the same data: {changed}"
