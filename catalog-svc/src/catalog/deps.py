"""What the use cases are handed: the ports and the policy values, wired in ``service.py``."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from catalog.adapters.search_index import SearchIndex
from catalog.domain.auth import DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD, TokenPolicy
from catalog.ports import (
    ArtifactStore,
    EventPublisher,
    LineageRecorder,
    ModelRater,
    PackageStorage,
    PasswordHasher,
    Upstream,
    UserStore,
)
from svckit.clock import utc_now


@dataclass(frozen=True)
class Policy:
    """Tunable limits of the catalog."""

    page_size: int = 100
    max_query_results: int = 10_000
    admin_name: str = DEFAULT_ADMIN_NAME
    admin_password: str = DEFAULT_ADMIN_PASSWORD
    tokens: TokenPolicy = field(default_factory=TokenPolicy)


@dataclass
class Deps:
    """Ports and policy for one catalog replica."""

    artifacts: ArtifactStore
    users: UserStore
    upstream: Upstream
    hasher: PasswordHasher
    search: SearchIndex
    events: EventPublisher
    storage: PackageStorage
    lineage: LineageRecorder
    scoring: ModelRater
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], datetime] = utc_now
