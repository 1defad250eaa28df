from scoring.domain.quality_gate import DEFAULT_GATED, gate

PASSING = dict.fromkeys(DEFAULT_GATED, 0.5)


def test_all_metrics_at_threshold_pass() -> None:
    assert gate(PASSING) == []


def test_failing_metrics_are_named_in_policy_order() -> None:
    scores = {**PASSING, "license": 0.0, "bus_factor": 0.49}
    assert gate(scores) == ["bus_factor", "license"]


def test_missing_metric_fails() -> None:
    scores = {k: v for k, v in PASSING.items() if k != "reviewedness"}
    assert gate(scores) == ["reviewedness"]


def test_net_score_size_score_and_latencies_are_not_gated_by_default() -> None:
    scores = {**PASSING, "net_score": 0.0, "size_score": 0.0, "license_latency": 0.0}
    assert gate(scores) == []


def test_latency_fields_are_never_gated_even_if_listed() -> None:
    assert gate({"license": 1.0}, metrics=["license", "license_latency"]) == []


def test_threshold_and_metrics_are_configurable() -> None:
    assert gate(PASSING, threshold=0.6) == list(DEFAULT_GATED)
    assert gate({"license": 0.2}, threshold=0.1, metrics=["license"]) == []
    assert gate({"license": float("nan")}, metrics=["license"]) == ["license"]
