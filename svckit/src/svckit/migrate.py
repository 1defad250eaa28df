"""``python -m svckit.migrate``: bring one service's schema up to date in a process of its own, then exit.

``svckit.database.open_engine`` starts it and waits for it, so Alembic is never imported by the long-running
service. The request arrives on stdin as one JSON object: ``url``, ``migrations`` (the Alembic script directory),
``lock_key`` and ``version_table``, as ``svckit.database.migrate`` takes them. A failure exits non-zero with its
traceback on stderr.
"""

import asyncio
import json
import sys
from pathlib import Path

from svckit.database import migrate


def main() -> None:
    """Read the request from stdin and migrate."""
    request = json.load(sys.stdin)
    migrations = Path(request["migrations"])
    asyncio.run(migrate(str(request["url"]), migrations, int(request["lock_key"]), str(request["version_table"])))


if __name__ == "__main__":
    main()
