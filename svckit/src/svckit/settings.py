"""Settings every process shares, read from the environment."""

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:  # the NATS client, imported by processes that connect (the web UI never does)
    from svckit.connection import BusAuth


class RuntimeSettings(BaseSettings):
    """Connection and observability settings common to all processes."""

    model_config = SettingsConfigDict(extra="ignore")

    nats_url: str = Field(default="nats://127.0.0.1:14222", description="NATS server(s), comma-separated.")
    nats_user: str | None = Field(default=None, description="This process's NATS user (its role).")
    nats_password: SecretStr | None = Field(default=None, description="The password of ``nats_user``.")
    nats_tls_ca: Path | None = Field(default=None, description="CA bundle of the NATS servers' TLS certificates.")
    data_dir: Path = Field(default=Path("var"), validation_alias="REGISTRY_DATA_DIR")
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port (logged).")
    log_format: str = Field(default="auto", pattern="^(auto|json|console)$")
    log_level: str = "info"
    request_concurrency: int = Field(default=256, ge=1, description="Requests one replica handles at once.")

    def bus_auth(self) -> "BusAuth":
        """The credentials this process connects to NATS with."""
        from svckit.connection import BusAuth

        password = self.nats_password.get_secret_value() if self.nats_password else None
        return BusAuth(user=self.nats_user, password=password, tls_ca=self.nats_tls_ca)
