"""Gateway settings, from the environment."""

from pydantic import Field, IPvAnyNetwork

from svckit.settings import RuntimeSettings


class GatewaySettings(RuntimeSettings):
    """Where the gateway listens and how long it waits for services."""

    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8080, ge=0, le=65535)
    gateway_reuse_port: bool = Field(
        default=False, description="Share the port with other gateway processes (SO_REUSEPORT; run-cluster's two)."
    )
    public_url: str | None = Field(default=None, description="Base URL clients use, for links in responses.")
    gateway_ui_url: str | None = Field(
        default=None, description="The web UI's address: where GET / sends a browser (the API docs when unset)."
    )
    service_timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for a service answer.")
    ingest_timeout: float = Field(default=100.0, gt=0, description="Seconds to wait for an ingest to finish.")
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    revocation_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Longest a revocation takes to reach this gateway when its event is lost: cached users are "
        "trusted only while the catalog's revocation sequence was read less than this long ago.",
    )
    revocation_events: bool = Field(
        default=True,
        description="Apply the catalog's revocation events at once (false: only the sequence reads, to test them).",
    )
    login_timeout: float = Field(
        default=60.0, gt=0, description="Seconds a sign-in may wait for its turn and its password check."
    )
    login_failures_per_name: int = Field(default=5, ge=1, description="Failed sign-ins a user name may make at once.")
    login_failures_per_address: int = Field(
        default=20, ge=1, description="Failed sign-ins a client address may make at once."
    )
    login_failure_refill_seconds: float = Field(
        default=60.0, gt=0, description="One more failed sign-in is allowed per name and address every this often."
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        validation_alias="GATEWAY_TRUSTED_PROXIES",
        description="Proxies (addresses or networks) whose X-Forwarded-For names the client.",
    )
    planned_tracks: list[str] = Field(default_factory=lambda: ["Performance track", "Access control track"])
