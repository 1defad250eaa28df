"""UI settings, from the environment (``UI_PORT``, ``REGISTRY_URL``, ...)."""

from pydantic import Field, SecretStr

from svckit.settings import RuntimeSettings


class UiSettings(RuntimeSettings):
    """Where the UI listens, which registry it talks to, and its limits."""

    ui_host: str = "127.0.0.1"
    ui_port: int = Field(default=8081, ge=0, le=65535)
    registry_url: str = Field(default="http://127.0.0.1:8080", description="Base URL of the registry's public API.")
    registry_timeout: float = Field(
        default=120.0, gt=0, description="Seconds to wait for the registry between two reads (ingests take long)."
    )
    upload_max_bytes: int = Field(default=2 << 30, ge=1, description="Largest file the upload page accepts.")
    cookie_secure: bool = Field(
        default=False, description="Always mark cookies Secure (behind a TLS-terminating proxy); https requests do."
    )
    csrf_key: SecretStr | None = Field(
        default=None, description="HMAC key of the CSRF tokens; random per process when unset (set it for replicas)."
    )
