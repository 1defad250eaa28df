"""What lineage's use cases are handed, wired in ``service.py``."""

from dataclasses import dataclass, field
from typing import Any

from lineage.ports import GraphStore, Sizes, Upstream


@dataclass
class Deps:
    """Ports of one lineage replica."""

    graph: GraphStore
    upstream: Upstream
    sizes: Sizes
    cache: dict[str, Any] = field(default_factory=dict)
