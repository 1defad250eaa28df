"""catalog-svc settings, from the environment."""

from pydantic import Field, SecretStr

from catalog.adapters.search_index import default_search_threads
from catalog.domain.auth import DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD, TOKEN_LIFETIME, TOKEN_MAX_USES
from catalog.domain.search import MAX_PROGRAM_SIZE
from svckit.upstream import UpstreamSettings


class CatalogSettings(UpstreamSettings):
    """Where the catalog keeps its data and how it reaches upstream sources."""

    catalog_database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; default: SQLite file under the data dir."
    )
    storage_timeout: float = Field(default=20.0, gt=0, description="Seconds to wait for storage-svc.")
    lineage_timeout: float = Field(
        default=40.0, gt=0, description="Seconds to wait for lineage-svc (it reads upstream)."
    )
    scoring_timeout: float = Field(
        default=90.0, gt=0, description="Seconds to wait for a rating (it reads upstream and runs the card's example)."
    )
    catalog_page_size: int = Field(default=100, ge=1, le=10_000)
    catalog_max_query_results: int = Field(default=10_000, ge=1)
    catalog_view_check_seconds: float = Field(
        default=1.0,
        gt=0,
        description="Seconds between checks of the stored revision against the in-memory copy of the artifacts "
        "(the bound on staleness across replicas should a change event be lost).",
    )
    registry_admin_name: str = DEFAULT_ADMIN_NAME
    registry_admin_password: SecretStr = SecretStr(DEFAULT_ADMIN_PASSWORD)
    token_max_uses: int = Field(default=TOKEN_MAX_USES, ge=1)
    token_lifetime_hours: float = Field(default=TOKEN_LIFETIME.total_seconds() / 3600, gt=0)
    catalog_regex_deadline_seconds: float = Field(
        default=5.0, gt=0, description="A regex search still running after this many seconds answers 400."
    )
    catalog_regex_max_program: int = Field(
        default=MAX_PROGRAM_SIZE, ge=100, description="Largest compiled regex (RE2 instructions); larger → 400."
    )
    catalog_search_threads: int = Field(
        default_factory=default_search_threads,
        ge=1,
        description="Threads scanning regex searches (default: one per core but one).",
    )

    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite default."""
        if self.catalog_database_url:
            return self.catalog_database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'catalog' / 'catalog.db').resolve()}"
