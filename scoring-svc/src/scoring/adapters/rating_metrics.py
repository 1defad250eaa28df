"""``RatingObserver`` on Prometheus: how long each metric takes and what becomes of each rating."""

from prometheus_client import CollectorRegistry, Counter, Histogram

from svckit.metrics import LATENCY_BUCKETS


class PrometheusRatingObserver:
    """``registry_rating_metric_seconds{metric}`` and ``registry_ratings_total{outcome}``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._seconds = Histogram(
            "registry_rating_metric_seconds",
            "Time to compute one metric of a model's rating (net_score: the whole rating).",
            ["metric"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._outcomes = Counter(
            "registry_ratings_total",
            "Ratings computed, by outcome: stored, refused (the ingest quality gate) or failed (a metric failed).",
            ["outcome"],
            registry=registry,
        )

    def metric_seconds(self, metric: str, seconds: float) -> None:
        """Record one metric's latency."""
        self._seconds.labels(metric).observe(seconds)

    def outcome(self, outcome: str) -> None:
        """Count one rating's outcome."""
        self._outcomes.labels(outcome).inc()
