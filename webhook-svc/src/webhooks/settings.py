"""webhook-svc settings, from the environment."""

from pydantic import Field

from svckit.settings import RuntimeSettings


class WebhookSettings(RuntimeSettings):
    """Where subscriptions live, which targets are allowed, and how deliveries are retried."""

    webhook_database_url: str | None = Field(default=None, description="Default: SQLite under the data dir.")
    webhook_allow_private_networks: str = Field(
        default="", description="Comma list of CIDRs (or 'loopback', 'private') webhooks may reach besides public ones."
    )
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0, description="First retry delay; doubles each time.")
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, description="Attempts before a delivery is failed.")
    webhook_disable_after: int = Field(
        default=10, ge=1, description="Consecutive failed attempts after which a subscription is disabled."
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="One POST's time limit.")
    webhook_poll_seconds: float = Field(default=1.0, gt=0, description="How often due deliveries are looked for.")
    webhook_claim_seconds: float = Field(default=60.0, gt=0, description="How long a claimed attempt is held.")
    webhook_owner_wait_seconds: float = Field(
        default=30.0, ge=0, description="How long an event on an artifact of unknown owner waits for its creation."
    )
    webhook_stream_replicas: int = Field(default=1, ge=1, le=5, description="JetStream replicas of the event stream.")

    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite default."""
        if self.webhook_database_url:
            return self.webhook_database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'webhooks' / 'webhooks.db').resolve()}"
