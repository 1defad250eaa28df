"""Services may share one database (``make run-cluster``, the compose and Kubernetes files give them one PostgreSQL
database): each keeps its own Alembic version table, and no two services may name a table or an index alike, or
the second to migrate fails (it did: catalog-svc and webhook-svc both created ``idempotent_replies``)."""

from collections import Counter

from sqlalchemy import MetaData

from catalog.adapters.tables import metadata as catalog
from lineage.adapters.tables import metadata as lineage
from scoring.adapters.tables import metadata as scoring
from storage.adapters.tables import metadata as storage
from webhooks.adapters.tables import metadata as webhooks

SERVICES: dict[str, MetaData] = {
    "catalog": catalog,
    "lineage": lineage,
    "scoring": scoring,
    "storage": storage,
    "webhooks": webhooks,
}


def test_no_two_services_name_a_table_alike() -> None:
    names = Counter(name for metadata in SERVICES.values() for name in metadata.tables)
    assert [name for name, count in names.items() if count > 1] == []


def test_no_two_services_name_an_index_alike() -> None:
    names = Counter(
        str(index.name)
        for metadata in SERVICES.values()
        for table in metadata.tables.values()
        for index in table.indexes
    )
    assert [name for name, count in names.items() if count > 1] == []
