"""Ingesting with ``--wait`` (the copy's progress, then the rating), the quality gate's refusal (exit 3), and the
read commands: ``ls`` over every page, ``search``, ``show``, ``rate``, ``lineage``, ``cost``, ``audit``."""

from tests.client.conftest import MINI, Cli, Ran

HF = "https://huggingface.co"


def test_ingest_wait_shows_the_copy_progress_and_ends_with_the_rating(mini: tuple[str, Ran]) -> None:
    artifact_id, done = mini
    assert artifact_id.isalnum() or "-" in artifact_id
    assert "copying orchard-mini" in done.stderr or "ready orchard-mini" in done.stderr
    assert "5/5 files" in done.stderr and "MB" in done.stderr, done.stderr
    assert "copy ready: 5/5 files" in done.stdout
    assert "rating: net_score " in done.stdout and "license 1.00" in done.stdout


def test_a_model_the_quality_gate_refuses_prints_the_reasons_and_exits_3(admin: Cli) -> None:
    done = admin("ingest", "model", f"{HF}/sshleifer/tiny-gpt2", "--wait")
    assert done.code == 3, done
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: 424: ") and "license=0.00 (no licence stated)" in line and "request id" in line


def test_ls_reads_every_page_and_filters_by_type_and_name(admin: Cli, mini: tuple[str, Ran]) -> None:
    for url in (f"{HF}/datasets/rajpurkar/squad", "https://github.com/openai/whisper"):
        kind = "dataset" if "datasets" in url else "code"
        done = admin("ingest", kind, url, "--json")
        assert done.code in (0, 6), done.stderr  # 6: registered by an earlier run of this test
    everything = admin("ls", "--json").json()
    assert len(everything) >= 3, "three artifacts on pages of two"
    assert {item["type"] for item in everything} >= {"model", "dataset", "code"}
    assert [item["id"] for item in admin("ls", "--type", "model", "--name", "orchard-mini", "--json").json()] == [
        mini[0]
    ]
    table = admin("ls").stdout
    assert "orchard-mini" in table and f"{len(everything)} artifacts" in table


def test_search_finds_names_and_cards(admin: Cli, mini: tuple[str, Ran]) -> None:
    found = admin("search", "small decoder for tests", "--json").json()
    assert [item["name"] for item in found] == ["orchard-mini"]
    assert admin("search", "^no-such-thing-anywhere$", "--json").json() == []


def test_show_rate_lineage_cost_and_audit(admin: Cli, mini: tuple[str, Ran]) -> None:
    artifact_id = mini[0]
    shown = admin("show", artifact_id, "--json").json()
    assert shown["artifact"]["data"]["url"] == MINI and shown["package"]["status"]["state"] == "ready"
    report = admin("rate", artifact_id, "--json").json()
    assert report["rating"]["name"] == "orchard-mini" and report["license_id"] == "apache-2.0"
    table = admin("rate", artifact_id).stdout
    license_note = next(note["detail"] for note in report["notes"] if note["metric"] == "license")
    assert "net_score" in table and "ramp_up_time" in table and license_note.split()[0] in table
    graph = admin("lineage", artifact_id, "--json").json()
    assert artifact_id in {node["artifact_id"] for node in graph["nodes"]}
    assert f"orchard-mini ({artifact_id}) ◀" in admin("lineage", artifact_id).stdout
    cost = admin("cost", artifact_id, "--json").json()
    assert 8.0 < cost[artifact_id]["total_cost"] < 9.0, cost
    assert artifact_id in admin("cost", artifact_id, "--deps", "--json").json()
    allowed = admin("license-check", artifact_id, "https://github.com/google-research/bert", "--json").json()
    assert allowed is True, "apache-2.0 with apache-2.0"
    assert admin("license-check", artifact_id, "https://github.com/google-research/bert").stdout == "compatible\n"
    actions = {entry["action"] for entry in admin("audit", artifact_id, "--json").json()}
    assert {"CREATE", "RATE", "AUDIT"} <= actions


def test_an_unknown_id_exits_4(admin: Cli) -> None:
    done = admin("show", "123456789")
    assert done.code == 4 and done.stderr.startswith("error: 404: ")


def test_lineage_draws_parents_above_their_children(admin: Cli) -> None:
    ids = []
    for repo in ("microsoft/resnet-50", "crangana/trained-gender"):
        done = admin("ingest", "model", f"{HF}/{repo}", "--json")
        assert done.code == 0, done.stderr
        ids.append(done.json()["metadata"]["id"])
    parent, child = ids
    tree = admin("lineage", child).stdout.splitlines()
    parent_line = next(i for i, line in enumerate(tree) if f"({parent})" in line)
    child_line = next(i for i, line in enumerate(tree) if f"({child}) ◀" in line)
    assert parent_line < child_line
    indent = len(tree[child_line]) - len(tree[child_line].lstrip(" │"))
    assert indent > len(tree[parent_line]) - len(tree[parent_line].lstrip(" │")), tree
    edges = admin("lineage", child, "--json").json()["edges"]
    assert {(e["from_node_artifact_id"], e["to_node_artifact_id"]) for e in edges} >= {(parent, child)}


def test_ingest_wait_exits_8_when_the_copy_cannot_be_made(admin: Cli) -> None:
    done = admin("ingest", "dataset", f"{HF}/datasets/ILSVRC/imagenet-1k", "--wait")
    assert done.code == 8, done
    assert "copy needs_credentials" in done.stdout and "rating" not in done.stdout
