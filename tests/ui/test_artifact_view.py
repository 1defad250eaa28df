"""The artifact page's view model: copy progress, download links, rating rows, costs."""

from ui.artifact_view import costs, downloads, lineage, progress, rating


def _file(path: str, part: str, status: str = "stored", sha: str | None = "ab" * 32) -> dict[str, object]:
    stored = status == "stored"
    return {"path": path, "part": part, "size": 10, "stored": stored, "status": status,
            "sha256": sha if stored else None, "note": ""}  # fmt: skip


def test_progress_reports_bytes_files_and_percent() -> None:
    status = {"state": "copying", "bytes_done": 250, "bytes_total": 1000, "files_done": 1, "files_total": 4}
    shown = progress(status)
    assert shown["percent"] == 25 and shown["done"] is False and shown["label"] == "Copying"
    assert shown["summary"] == "Copying: 250 bytes of 1.00 kB stored (1 of 4 files)"


def test_progress_of_an_unknown_size_has_no_percent_until_ready() -> None:
    assert progress({"state": "queued", "bytes_done": 0, "bytes_total": None})["percent"] is None
    assert progress({"state": "ready", "bytes_done": 0, "bytes_total": None})["percent"] == 100


def test_a_single_file_download_shows_the_files_sha256() -> None:
    choices = downloads([_file("weights.bin", "weights")])
    assert [(c.part, c.available, c.sha256) for c in choices] == [
        ("all", True, "ab" * 32),
        ("weights", True, "ab" * 32),
    ]


def test_parts_download_while_copying_but_never_with_a_file_that_failed_its_checks() -> None:
    files = [_file("README.md", "docs"), _file("LICENSE", "docs", status="pending"),
             _file("big.bin", "weights", status="failed")]  # fmt: skip
    files[2]["note"] = "big.bin: received 5 bytes where the upstream publishes 10"
    by_part = {c.part: c for c in downloads(files)}
    assert by_part["docs"].available and by_part["docs"].sha256 is None and by_part["docs"].files == 2
    assert not by_part["all"].available
    assert "1 of 3 files differ from what the upstream publishes" in by_part["all"].reason
    assert "received 5 bytes" in by_part["weights"].reason and not by_part["weights"].available


def test_nothing_downloads_when_the_registry_cannot_fetch_the_bytes() -> None:
    choices = downloads([_file("a", "docs", status="pending")], refused="Kaggle credentials needed")
    assert not any(c.available for c in choices) and "Kaggle credentials needed" in choices[0].reason


def test_the_rating_lists_every_metric_with_its_explanation_and_latency() -> None:
    report = {
        "rating": {"name": "m", "category": "MODEL", "net_score": 0.5, "license": 1.0, "license_latency": 0.02},
        "notes": [{"metric": "license", "score": 1.0, "applicable": True, "detail": "apache-2.0 in the card"}],
        "gated": ["license"],
        "gate_failures": [],
    }
    view = rating(report, "m1")
    license_row = next(r for r in view["rows"] if r["metric"] == "Licence")
    assert license_row == {
        "metric": "Licence", "score": 1.0, "latency": 0.02, "detail": "apache-2.0 in the card", "applicable": True
    }  # fmt: skip
    assert len(view["rows"]) == 11 and view["devices"][0][0] == "Raspberry Pi"
    assert 'role="img"' in view["chart"] and 'role="img"' in view["size_chart"]


def test_costs_name_the_dependencies_the_lineage_knows() -> None:
    graph = {
        "nodes": [
            {"artifact_id": "m", "name": "model", "metadata": {"type": "model"}},
            {"artifact_id": "d", "name": "data", "metadata": {"type": "dataset"}},
        ],
        "edges": [{"from_node_artifact_id": "d", "to_node_artifact_id": "m", "relationship": "fine_tuning_dataset"}],
    }
    known = {n.ident: n for n in lineage(graph, "m")["nodes"]}
    closure = {"d": {"standalone_cost": 2.0, "total_cost": 2.0}, "m": {"standalone_cost": 1.0, "total_cost": 3.0}}
    view = costs({"m": {"total_cost": 1.0}}, closure, "m", known)
    assert (view["standalone"], view["with_dependencies"]) == (1.0, 3.0)
    assert [(r["name"], r["href"], r["current"]) for r in view["rows"]] == [
        ("model", "/artifacts/model/m", True),
        ("data", "/artifacts/dataset/d", False),
    ]
