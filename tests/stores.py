"""Empty SQLite stores with a service's schema, for the suites that test use cases on the real stores.

A service's ``open_*_engine`` migrates its database in a process of its own (``python -m svckit.migrate``), about a
second each time. Each schema is migrated once per session by that opener, on a template file; every test then gets
a copy of the template, opened with the engine factory the opener uses (``svckit.database.create_engine``). The
migrations themselves are tested where they are the subject (tests/svckit/test_database.py, the migration tests of
each store), with the openers.
"""

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from svckit.database import create_engine

Opener = Callable[[str], AbstractAsyncContextManager[AsyncEngine]]


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy (aiosqlite) URL of the database file ``path``."""
    return f"sqlite+aiosqlite:///{path}"


@dataclass
class MigratedStores:
    """Templates under ``root``, one per opener, migrated the first time a test asks for that opener's store."""

    root: Path
    templates: dict[Opener, Path] = field(default_factory=dict)

    async def copy(self, opener: Opener, path: Path) -> str:
        """A fresh copy at ``path`` of an empty database that ``opener`` migrated; its URL."""
        template = self.templates.get(opener)
        if template is None:
            template = self.root / f"{len(self.templates)}-{opener.__module__}.db"
            async with opener(sqlite_url(template)):
                pass
            self.templates[opener] = template
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)
        wal = template.with_name(template.name + "-wal")  # empty once the last connection closed; copied if not
        if wal.exists():
            shutil.copyfile(wal, path.with_name(path.name + "-wal"))
        return sqlite_url(path)

    def open(self, opener: Opener, path: Path) -> AbstractAsyncContextManager[AsyncEngine]:
        """An engine on a fresh copy at ``path``: what ``opener`` gives on a new file, without a migration process."""
        return engine_at(self.copy(opener, path))


@asynccontextmanager
async def engine_at(url: str | Awaitable[str]) -> AsyncIterator[AsyncEngine]:
    """An engine on a database whose schema is already migrated (``url``, or what it resolves to), disposed on exit."""
    engine = create_engine(url if isinstance(url, str) else await url)
    try:
        yield engine
    finally:
        await engine.dispose()
