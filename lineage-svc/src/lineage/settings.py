"""lineage-svc settings, from the environment."""

from pydantic import Field

from svckit.upstream import UpstreamSettings


class LineageSettings(UpstreamSettings):
    """Where the graph lives and how upstream metadata is reached."""

    lineage_database_url: str | None = Field(default=None, description="Default: SQLite under the data dir.")
    storage_timeout: float = Field(default=10.0, gt=0)

    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite default."""
        if self.lineage_database_url:
            return self.lineage_database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'lineage' / 'graph.db').resolve()}"
