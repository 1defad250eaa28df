"""Pure view model of the health dashboard, from ``/health/components`` and ``/health/dashboard`` (their typed
bodies, ``contracts.health``, as ``ui.registry`` reads them).

Per-minute series are grouped into at most ``MAX_POINTS`` buckets (a day is 24-minute buckets) so that charts
and their data tables stay readable; counts are summed, latencies averaged weighted by requests.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from markupsafe import Markup

from contracts.health import HealthComponentCollection, HealthDashboard
from ui.charts import describe_bars, describe_series, horizontal_bars, safe_id, series_chart

WINDOWS = (5, 15, 60, 360, 1440)
DEFAULT_WINDOW = 60
MAX_POINTS = 60
STATUS = {
    "ok": ("OK", "✓"),
    "degraded": ("Degraded", "▲"),
    "critical": ("Critical", "✕"),
    "unknown": ("Unknown", "?"),
}


def parse_window(raw: str | None) -> int:
    """The window in minutes from the query (5 to 1440; 60 otherwise)."""
    if raw and raw.isdigit() and 5 <= int(raw) <= 1440:
        return int(raw)
    return DEFAULT_WINDOW


@dataclass(frozen=True)
class Series:
    """One chart of per-bucket values and its table."""

    chart_id: str
    title: str
    unit: str
    labels: list[str]
    values: list[float]
    kind: Literal["bar", "line"] = "bar"
    decimals: int = 0

    @property
    def svg(self) -> Markup:
        """The chart."""
        desc = describe_series(self.labels, self.values, self.unit, self.decimals)
        return series_chart(
            self.chart_id, self.title, desc, self.labels, self.values, kind=self.kind, decimals=self.decimals
        )

    @property
    def rows(self) -> list[tuple[str, str]]:
        """(time, formatted value) rows of the data table."""
        return [(label, f"{value:,.{self.decimals}f}") for label, value in zip(self.labels, self.values, strict=True)]

    @property
    def dom_id(self) -> str:
        """The chart's element id."""
        return safe_id(self.chart_id)


def buckets(count: int) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` grouping ``count`` minutes into at most ``MAX_POINTS`` buckets."""
    size = max(1, math.ceil(count / MAX_POINTS))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _clock(minute: datetime) -> str:
    return minute.strftime("%H:%M")


def labels(minutes: Sequence[datetime], ranges: Sequence[tuple[int, int]]) -> list[str]:
    """``13:05`` for one minute, ``13:00-13:23`` for a bucket of several (UTC)."""
    out = []
    for start, end in ranges:
        first, last = _clock(minutes[start]), _clock(minutes[end - 1])
        out.append(first if end - start == 1 else f"{first}-{last}")
    return out


def summed(values: Sequence[float], ranges: Sequence[tuple[int, int]]) -> list[float]:
    """Sum per bucket."""
    return [float(sum(values[start:end])) for start, end in ranges]


def weighted(values: Sequence[float], weights: Sequence[float], ranges: Sequence[tuple[int, int]]) -> list[float]:
    """Mean per bucket weighted by ``weights`` (0 for a bucket without weight)."""
    out = []
    for start, end in ranges:
        weight = sum(weights[start:end])
        total = sum(v * w for v, w in zip(values[start:end], weights[start:end], strict=True))
        out.append(total / weight if weight else 0.0)
    return out


def ratio_percent(part: Sequence[float], whole: Sequence[float], ranges: Sequence[tuple[int, int]]) -> list[float]:
    """``100 * sum(part) / sum(whole)`` per bucket (0 without any)."""
    return [100 * a / b if b else 0.0 for a, b in zip(summed(part, ranges), summed(whole, ranges), strict=True)]


def _fit(values: Sequence[float], count: int) -> list[float]:
    """``values`` as one per minute: cut to ``count``, or padded with zeros."""
    padded = [float(v) for v in list(values)[:count]]
    return padded + [0.0] * (count - len(padded))


def gateway_series(detail: HealthDashboard) -> list[Series]:
    """Requests, error rate and mean latency per bucket at the gateway."""
    minutes, gateway = detail.minutes, detail.gateway
    ranges, count = buckets(len(minutes)), len(minutes)
    names = labels(minutes, ranges)
    requests, errors = _fit(gateway.requests, count), _fit(gateway.errors, count)
    latency = _fit(gateway.mean_latency_ms, count)
    return [
        Series("gateway-requests", "Gateway requests", "requests", names, summed(requests, ranges)),
        Series("gateway-errors", "Gateway error rate", "%", names, ratio_percent(errors, requests, ranges), "line", 1),
        Series("gateway-latency", "Gateway mean latency", "ms", names, weighted(latency, requests, ranges), "line", 1),
    ]


def service_series(detail: HealthDashboard) -> list[dict[str, Any]]:
    """Per service: replicas, and requests and errors per bucket."""
    minutes = detail.minutes
    ranges, count = buckets(len(minutes)), len(minutes)
    names = labels(minutes, ranges)
    out = []
    for service in detail.services:
        name = service.service
        requests = summed(_fit(service.requests_per_minute, count), ranges)
        errors = summed(_fit(service.errors_per_minute, count), ranges)
        charts = [
            Series(f"svc-{name}-requests", f"{name} requests", "requests", names, requests),
            Series(f"svc-{name}-errors", f"{name} errors", "errors", names, errors),
        ]
        out.append({"service": name, "replicas": service.replicas, "charts": charts})
    return out


def timeline_series(components: HealthComponentCollection) -> list[Series]:
    """Requests per bucket of each component, from ``/health/components`` timelines."""
    out = []
    for component in components.components:
        timeline = component.timeline or []
        if not timeline:
            continue
        minutes = [entry.bucket for entry in timeline]
        ranges = buckets(len(minutes))
        values = summed([float(entry.value) for entry in timeline], ranges)
        name = component.display_name or component.id
        out.append(Series(f"timeline-{component.id}", f"{name} requests", "requests", labels(minutes, ranges), values))
    return out


def cards(components: HealthComponentCollection) -> list[dict[str, Any]]:
    """A status card per component: status in words and a symbol, description, metrics, issues."""
    out = []
    for component in components.components:
        words, symbol = STATUS[component.status]
        out.append(
            {
                "id": component.id,
                "name": component.display_name or component.id,
                "status": component.status,
                "status_text": words,
                "symbol": symbol,
                "description": component.description,
                "metrics": [(k, _figure(v)) for k, v in component.metrics.items() if not k.startswith("route.")],
                "issues": component.issues,
            }
        )
    return out


def _figure(value: float) -> float | int:
    """A whole number without its ``.0`` (the registry sends counts as ``3.0``: see its ``/health/components``)."""
    return int(value) if value.is_integer() else value


def issues(components: HealthComponentCollection) -> list[dict[str, Any]]:
    """Every active issue, with its component."""
    return [
        {"component": c.display_name or c.id, **issue.model_dump()} for c in components.components for issue in c.issues
    ]


def ratings(detail: HealthDashboard) -> dict[str, Any] | None:
    """Rating latency per metric (chart and rows) and outcomes, when the registry reports them."""
    data = detail.ratings
    if data is None:
        return None
    latency = list((data.metric_latency_ms or {}).items())
    chart = None
    if latency:
        desc = describe_bars(latency, 1, "ms")
        chart = horizontal_bars(
            "rating-latency", "Mean rating latency per metric", desc, latency, decimals=1, unit="ms"
        )
    return {"latency": latency, "chart": chart, "outcomes": data.outcomes or {}}


def dashboard_view(
    window: int, components: HealthComponentCollection | None, detail: HealthDashboard | None
) -> dict[str, Any]:
    """Everything the dashboard template shows; parts the registry did not answer are None or empty."""
    reported = detail or components
    view: dict[str, Any] = {
        "window": window,
        "windows": WINDOWS,
        "cards": cards(components) if components else [],
        "issues": issues(components) if components else [],
        "generated_at": reported.generated_at if reported else None,
        "detail": detail is not None,
    }
    if detail is None:
        view["timelines"] = timeline_series(components) if components else []
        return view
    view |= {
        "gateway": gateway_series(detail),
        "services": service_series(detail),
        "routes": sorted(detail.routes, key=lambda r: (-r.requests, r.route)),
        "ingest": detail.ingest,
        "ratings": ratings(detail),
        "storage": detail.storage,
        "logs": detail.logs,
    }
    return view
