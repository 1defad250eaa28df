"""What the code exports as Prometheus metrics, and what PromQL expressions select, for the deploy tests.

Metric families are read from our source with ``ast`` (``Counter("name", ...)`` and friends, and the request
metrics of each ``svckit.web.MetricNames``). PromQL is read with a small lexer (strings, label matchers, grouping
clauses, ranges and Grafana variables removed; what remains that is not a function, keyword or number is a metric
name), enough for the expressions kept in deploy/.
"""

import ast
import re
from dataclasses import dataclass
from functools import cache

from tests.harness import REPO

# Series every Prometheus has without any exporter.
PROMETHEUS_BUILTINS = frozenset(
    {
        "up",
        "ALERTS",
        "ALERTS_FOR_STATE",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    }
)
# Labels Prometheus attaches to every scraped series (job, instance), plus what our scrape configs add.
TARGET_LABELS = frozenset({"job", "instance", "pod", "deployment"})


@dataclass(frozen=True)
class Metric:
    """One metric family declared in our source: its kind and labels (None when they could not be read)."""

    name: str
    kind: str
    labels: frozenset[str] | None

    def series(self) -> set[str]:
        """The series names Prometheus stores for it (prometheus_client's naming)."""
        if self.kind == "Counter":
            base = self.name.removesuffix("_total")
            return {f"{base}_total", f"{base}_created"}
        if self.kind == "Histogram":
            return {f"{self.name}_{suffix}" for suffix in ("bucket", "sum", "count", "created")}
        if self.kind == "Summary":
            return {self.name, f"{self.name}_sum", f"{self.name}_count", f"{self.name}_created"}
        if self.kind == "Info":
            return {f"{self.name}_info"}
        return {self.name}


_METRIC_CLASSES = frozenset({"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"})


def _constant_strings(node: ast.expr | None) -> frozenset[str] | None:
    """The strings of a list or tuple literal of string constants, else None."""
    if isinstance(node, ast.List | ast.Tuple) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts
    ):
        return frozenset(str(item.value) for item in node.elts if isinstance(item, ast.Constant))
    return None


def _declaration(call: ast.Call) -> Metric | None:
    """The metric a ``Counter("name", "help", ["label", ...])`` call (or a sibling class) declares."""
    func = call.func
    kind = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if kind not in _METRIC_CLASSES:
        return None
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    name_node = call.args[0] if call.args else keywords.get("name")
    if not (isinstance(name_node, ast.Constant) and isinstance(name_node.value, str)):
        return None
    labels_node = call.args[2] if len(call.args) > 2 else keywords.get("labelnames")
    labels = frozenset[str]() if labels_node is None else _constant_strings(labels_node)
    return Metric(name_node.value, kind, labels)


def _request_metrics(call: ast.Call) -> list[Metric]:
    """The families a ``svckit.web.MetricNames(prefix=..., labels=(...), in_flight=...)`` declares for
    ``RequestMetrics`` (its docstring gives the naming)."""
    func = call.func
    if not (isinstance(func, ast.Name) and func.id == "MetricNames"):
        return []
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    prefix = keywords.get("prefix")
    if not (isinstance(prefix, ast.Constant) and isinstance(prefix.value, str)):
        return []
    labels = _constant_strings(keywords["labels"]) if "labels" in keywords else frozenset({"route"})
    in_flight = keywords.get("in_flight")
    families = [
        Metric(f"{prefix.value}_requests_total", "Counter", None if labels is None else labels | {"status"}),
        Metric(f"{prefix.value}_request_seconds", "Histogram", labels),
    ]
    if isinstance(in_flight, ast.Constant) and in_flight.value is True:
        families.append(Metric(f"{prefix.value}_requests_in_flight", "Gauge", frozenset()))
    return families


@cache
def exported_metrics() -> dict[str, Metric]:
    """Every metric family our packages declare (``Counter("name", ...)`` and friends, and the request metrics of
    each ``MetricNames``), by family name."""
    found: dict[str, Metric] = {}
    for path in sorted(REPO.glob("*/src/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            if (metric := _declaration(node)) is not None:
                found[metric.name] = metric
            found.update((family.name, family) for family in _request_metrics(node))
    return found


def exported_series() -> dict[str, Metric]:
    """Every series name our packages expose, mapped to its family."""
    return {series: metric for metric in exported_metrics().values() for series in metric.series()}


_FUNCTION_OR_KEYWORD = frozenset(
    {"and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset"}
    | {"inf", "nan", "Inf", "NaN"}
)


def _strip_strings(expr: str) -> str:
    return re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`", '""', expr)


def promql_metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects."""
    text = _strip_strings(expr)
    text = re.sub(r"\$\{[^}]*\}|\$\w+", " ", text)  # Grafana variables ($__rate_interval, ${DS})
    text = re.sub(r"\{[^{}]*\}", " ", text)  # label matchers
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\boffset\s+-?[\dsmhdwy]+", " ", text)
    text = re.sub(r"(?<![\w:])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", " ", text)  # numbers
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        word = match.group()
        if word in _FUNCTION_OR_KEYWORD or re.match(r"\s*\(", text[match.end() :]):
            continue
        names.add(word)
    return names


def promql_label_names(expr: str) -> set[str]:
    """The label names an expression matches on or groups by (matchers, by/without/on/ignoring)."""
    text = _strip_strings(re.sub(r"\$\{[^}]*\}|\$\w+", " ", expr))
    labels = set()
    for block in re.findall(r"\{([^{}]*)\}", text):
        labels |= set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", block))
    for block in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", text):
        labels |= {label.strip() for label in block.split(",") if label.strip()}
    return labels


def unknown_labels(expr: str) -> set[str]:
    """Labels an expression uses that none of its (our) metrics carries; empty when that cannot be told."""
    names = promql_metric_names(expr)
    if names & {"ALERTS", "ALERTS_FOR_STATE"}:
        return set()  # alert series carry the rules' own labels
    series = exported_series()
    allowed = set(TARGET_LABELS)
    for name in names:
        metric = series.get(name)
        if metric is None:
            continue
        if metric.labels is None:
            return set()
        allowed |= metric.labels
        if name.endswith("_bucket"):
            allowed.add("le")
    return promql_label_names(expr) - allowed
