"""Fixtures the scoring tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def synced_warehouse(trained_warehouse):
    """A writable connection to the trained warehouse with no sync state: nothing sent yet."""
    warehouse, _ = trained_warehouse
    with warehouse.env():  # relations come from this warehouse's project, not the repository's
        connection = warehouse.connect(read_only=False)
        connection.execute("drop schema if exists leadscore_sync cascade")
        yield connection
        connection.close()
