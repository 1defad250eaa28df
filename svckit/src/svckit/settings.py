"""Settings every process shares, read from the environment."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RuntimeSettings(BaseSettings):
    """Connection and observability settings common to all processes."""

    model_config = SettingsConfigDict(extra="ignore")

    nats_url: str = Field(default="nats://127.0.0.1:14222", description="NATS server(s), comma-separated.")
    data_dir: Path = Field(default=Path("var"), validation_alias="REGISTRY_DATA_DIR")
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port (logged).")
    log_format: str = Field(default="auto", pattern="^(auto|json|console)$")
    log_level: str = "info"
    request_concurrency: int = Field(default=256, ge=1, description="Requests one replica handles at once.")
