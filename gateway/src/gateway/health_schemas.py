"""The part of a replica's ``$SRV.STATS`` answer the gateway's health reports read. The reports' own bodies are
``contracts.health``'s (the web UI reads them too).
"""

from pydantic import BaseModel, ConfigDict


class Reported(BaseModel):
    """Read from another process: fields we do not use are ignored."""

    model_config = ConfigDict(extra="ignore")


class ServiceReport(Reported):
    """A service's own figures (``extra_stats`` of ``svckit.host``): scoring's ratings, storage's queue."""

    metric_latency_ms: dict[str, float] | None = None
    outcomes: dict[str, int] | None = None
    copy_queue_depth: int | None = None


class EndpointData(Reported):
    """What ``svckit.host`` adds to each endpoint's stats; the first endpoint also carries the process's."""

    handled: int | None = None
    errors: int = 0
    recent_events: list[dict[str, str]] | None = None
    service: ServiceReport | None = None


class EndpointStats(Reported):
    """One endpoint in ``$SRV.STATS`` (``nats.micro``)."""

    num_requests: int = 0
    data: EndpointData | None = None


class ReplicaStats(Reported):
    """One replica's answer to ``$SRV.STATS.<service>``."""

    endpoints: list[EndpointStats] | None = None

    def handled(self) -> tuple[int, int]:
        """Requests handled and failed with a server error since this replica started, over its endpoints."""
        handled = errors = 0
        for endpoint in self.endpoints or []:
            data = endpoint.data or EndpointData()
            handled += data.handled if data.handled is not None else endpoint.num_requests
            errors += data.errors
        return handled, errors

    def process(self) -> EndpointData:
        """The process figures (the endpoint that carries ``recent_events``); empty when none does."""
        for endpoint in self.endpoints or []:
            if endpoint.data is not None and endpoint.data.recent_events is not None:
                return endpoint.data
        return EndpointData()
