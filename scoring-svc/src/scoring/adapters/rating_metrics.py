"""``RatingObserver`` on Prometheus: how long each metric takes and what becomes of each rating; the same
figures since start (mean latency per metric, outcome counts) for ``$SRV.STATS`` and the health dashboard."""

from collections import Counter as Tally
from typing import Any

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
        self._count: Tally[str] = Tally()
        self._total: dict[str, float] = {}
        self._tally: Tally[str] = Tally()

    def metric_seconds(self, metric: str, seconds: float) -> None:
        """Record one metric's latency."""
        self._seconds.labels(metric).observe(seconds)
        self._count[metric] += 1
        self._total[metric] = self._total.get(metric, 0.0) + seconds

    def outcome(self, outcome: str) -> None:
        """Count one rating's outcome."""
        self._outcomes.labels(outcome).inc()
        self._tally[outcome] += 1

    def stats(self) -> dict[str, Any]:
        """Mean latency per metric (ms) and outcome counts since this replica started."""
        means = {m: round(1000 * self._total[m] / n, 3) for m, n in self._count.items() if n}
        return {"metric_latency_ms": means, "outcomes": dict(self._tally)}
