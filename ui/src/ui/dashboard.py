"""Pure view model of the health dashboard, from ``/health/components`` and ``/health/dashboard``.

Per-minute series are grouped into at most ``MAX_POINTS`` buckets (a day is 24-minute buckets) so that charts
and their data tables stay readable; counts are summed, latencies averaged weighted by requests.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup

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


def _clock(iso: str) -> str:
    return iso[11:16] if len(iso) >= 16 else iso


def labels(minutes: Sequence[str], ranges: Sequence[tuple[int, int]]) -> list[str]:
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


def _fit(values: Sequence[Any], count: int) -> list[float]:
    padded = [float(v or 0) for v in list(values)[:count]]
    return padded + [0.0] * (count - len(padded))


def gateway_series(detail: Mapping[str, Any]) -> list[Series]:
    """Requests, error rate and mean latency per bucket at the gateway."""
    minutes = [str(m) for m in detail.get("minutes") or []]
    gateway = detail.get("gateway") or {}
    ranges, count = buckets(len(minutes)), len(minutes)
    names = labels(minutes, ranges)
    requests, errors = _fit(gateway.get("requests") or [], count), _fit(gateway.get("errors") or [], count)
    latency = _fit(gateway.get("mean_latency_ms") or [], count)
    return [
        Series("gateway-requests", "Gateway requests", "requests", names, summed(requests, ranges)),
        Series("gateway-errors", "Gateway error rate", "%", names, ratio_percent(errors, requests, ranges), "line", 1),
        Series("gateway-latency", "Gateway mean latency", "ms", names, weighted(latency, requests, ranges), "line", 1),
    ]


def service_series(detail: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per service: replicas, and requests and errors per bucket."""
    minutes = [str(m) for m in detail.get("minutes") or []]
    ranges, count = buckets(len(minutes)), len(minutes)
    names = labels(minutes, ranges)
    out = []
    for service in detail.get("services") or []:
        name = str(service.get("service", "service"))
        requests = summed(_fit(service.get("requests_per_minute") or [], count), ranges)
        errors = summed(_fit(service.get("errors_per_minute") or [], count), ranges)
        charts = [
            Series(f"svc-{name}-requests", f"{name} requests", "requests", names, requests),
            Series(f"svc-{name}-errors", f"{name} errors", "errors", names, errors),
        ]
        out.append({"service": name, "replicas": service.get("replicas"), "charts": charts})
    return out


def timeline_series(components: Mapping[str, Any]) -> list[Series]:
    """Requests per bucket of each component, from ``/health/components`` timelines."""
    out = []
    for component in components.get("components") or []:
        timeline = component.get("timeline") or []
        if not timeline:
            continue
        minutes = [str(entry.get("bucket", "")) for entry in timeline]
        ranges = buckets(len(minutes))
        values = summed([float(entry.get("value") or 0) for entry in timeline], ranges)
        name = str(component.get("display_name") or component.get("id"))
        out.append(
            Series(f"timeline-{component.get('id')}", f"{name} requests", "requests", labels(minutes, ranges), values)
        )
    return out


def cards(components: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A status card per component: status in words and a symbol, description, metrics, issues."""
    out = []
    for component in components.get("components") or []:
        status = str(component.get("status", "unknown"))
        words, symbol = STATUS.get(status, STATUS["unknown"])
        metrics = component.get("metrics") or {}
        out.append(
            {
                "id": component.get("id"),
                "name": component.get("display_name") or component.get("id"),
                "status": status if status in STATUS else "unknown",
                "status_text": words,
                "symbol": symbol,
                "description": component.get("description", ""),
                "metrics": [(k, _figure(v)) for k, v in metrics.items() if not str(k).startswith("route.")],
                "issues": component.get("issues") or [],
            }
        )
    return out


def _figure(value: Any) -> Any:
    """A whole number without its ``.0`` (the registry sends counts as ``3.0``: see its ``/health/components``)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def issues(components: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every active issue, with its component."""
    return [
        {"component": c.get("display_name") or c.get("id"), **issue}
        for c in components.get("components") or []
        for issue in c.get("issues") or []
    ]


def ratings(detail: Mapping[str, Any]) -> dict[str, Any] | None:
    """Rating latency per metric (chart and rows) and outcomes, when the registry reports them."""
    data = detail.get("ratings")
    if not isinstance(data, dict):
        return None
    latency = [(str(k), float(v or 0)) for k, v in (data.get("metric_latency_ms") or {}).items()]
    chart = None
    if latency:
        desc = describe_bars(latency, 1, "ms")
        chart = horizontal_bars(
            "rating-latency", "Mean rating latency per metric", desc, latency, decimals=1, unit="ms"
        )
    return {"latency": latency, "chart": chart, "outcomes": data.get("outcomes") or {}}


def dashboard_view(
    window: int, components: Mapping[str, Any] | None, detail: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Everything the dashboard template shows; parts the registry did not answer are None or empty."""
    components = components or {}
    view: dict[str, Any] = {
        "window": window,
        "windows": WINDOWS,
        "cards": cards(components),
        "issues": issues(components),
        "generated_at": (detail or {}).get("generated_at") or components.get("generated_at"),
        "detail": detail is not None,
    }
    if detail is None:
        view["timelines"] = timeline_series(components)
        return view
    storage = detail.get("storage")
    view |= {
        "gateway": gateway_series(detail),
        "services": service_series(detail),
        "routes": sorted(detail.get("routes") or [], key=lambda r: (-int(r.get("requests") or 0), r.get("route", ""))),
        "ingest": detail.get("ingest"),
        "ratings": ratings(detail),
        "storage": storage if isinstance(storage, dict) else None,
        "logs": detail.get("logs") or [],
    }
    return view
