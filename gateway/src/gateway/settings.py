"""Gateway settings, from the environment."""

from pydantic import Field

from svckit.settings import RuntimeSettings


class GatewaySettings(RuntimeSettings):
    """Where the gateway listens and how long it waits for services."""

    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8080, ge=0, le=65535)
    public_url: str | None = Field(default=None, description="Base URL clients use, for links in responses.")
    service_timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for a service answer.")
    ingest_timeout: float = Field(default=100.0, gt=0, description="Seconds to wait for an ingest to finish.")
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    planned_tracks: list[str] = Field(default_factory=lambda: ["Performance track", "Access control track"])
