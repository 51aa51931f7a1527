"""Fixtures the translator's tests share."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def postgres_rows_warehouse(postgres_server):
    from leadscore.warehouse.postgres_warehouse import PostgresWarehouse
    from leadscore.warehouse.profiles import WarehouseTarget

    postgres_server.create_database("exact_or_refused")
    warehouse = PostgresWarehouse(
        WarehouseTarget(
            "matrix",
            {
                "type": "postgres",
                "host": "127.0.0.1",
                "port": postgres_server.port,
                "user": postgres_server.user,
                "dbname": "exact_or_refused",
            },
        )
    )
    yield warehouse
    warehouse.close()
