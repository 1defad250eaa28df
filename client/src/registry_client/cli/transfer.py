"""``registry ingest`` (following the copy with ``--wait``) and ``registry download``, with progress bars."""

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from registry_client import ops
from registry_client.cli.connect import registry
from registry_client.cli.output import Exit, JsonFlag, emit_json, err, out
from registry_client.client import RegistryClient
from registry_client.download import download as fetch
from registry_client.models import Artifact, ArtifactType, ModelRating, PackageView

POLL_SECONDS = 1.0  # each look at the copy spends one of the token's calls


def _bar(*extra: TextColumn) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), *extra, TransferSpeedColumn(),
        TimeRemainingColumn(), console=err,
    )  # fmt: skip


def ingest(
    artifact_type: Annotated[ArtifactType, typer.Argument(help="model, dataset or code.")],
    url: Annotated[str, typer.Argument(help="Hugging Face or GitHub URL of the source.")],
    name: Annotated[str | None, typer.Option("--name", help="Name to store (default: derived from the URL).")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the copy of the bytes, then show the rating.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Register an artifact; prints its id. A model the quality gate refuses prints the reasons and exits 3."""
    with registry() as client:
        artifact = client.send(ops.create_artifact(artifact_type, url, name))
        if not as_json:
            out.print(artifact.metadata.id)
        if not wait:
            if as_json:
                emit_json(artifact)
            return
        view = _follow(client, artifact)
        rating = client.send(ops.rate(artifact.metadata.id)) if artifact_type is ArtifactType.MODEL else None
    if as_json:
        emit_json({"artifact": artifact, "package": view, "rating": rating})
    else:
        _summary(view, rating)
    if view.status.state in ("failed", "needs_credentials"):
        raise typer.Exit(int(Exit.COPY_FAILED))


def _follow(client: RegistryClient, artifact: Artifact) -> PackageView:
    """Poll the package view until the copy ends, drawing bytes, files, rate and ETA."""
    files = TextColumn("{task.fields[files]} files")
    with _bar(files) as progress:
        task = progress.add_task(f"copying {artifact.metadata.name}", total=None, files="0/?")
        while True:
            view = client.send(ops.package(artifact.metadata.type, artifact.metadata.id))
            status = view.status
            progress.update(
                task, total=status.bytes_total, completed=status.bytes_done,
                files=f"{status.files_done}/{status.files_total}",
            )  # fmt: skip
            if view.settled:
                progress.update(task, description=f"{status.state} {artifact.metadata.name}")
                return view
            time.sleep(POLL_SECONDS)


def _summary(view: PackageView, rating: ModelRating | None) -> None:
    status = view.status
    out.print(f"copy {status.state}: {status.files_done}/{status.files_total} files, {status.bytes_done} bytes")
    if status.message:
        out.print(status.message)
    if rating is not None:
        metrics = ("license", "ramp_up_time", "bus_factor", "performance_claims", "code_quality", "dataset_quality")
        details = ", ".join(f"{metric} {getattr(rating, metric):.2f}" for metric in metrics)
        out.print(f"rating: net_score {rating.net_score:.2f} ({details}); `registry rate ID` explains each")


def download(
    artifact_id: Annotated[str, typer.Argument(help="The artifact's id.")],
    part: Annotated[str, typer.Option("--part", help="all, weights, datasets, code or docs.")] = "all",
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write into.")] = Path("."),
    as_json: JsonFlag = False,
) -> None:
    """Download an artifact (resuming an interrupted download) and check every file's sha256 against the package
    view; on a mismatch nothing is kept under the final name and the exit code is 5."""
    with registry() as client:
        artifact = client.run(ops.find(artifact_id))
        with _bar() as progress:
            task = progress.add_task(f"downloading {artifact.metadata.name}", total=None)

            def started(total: int | None, have: int) -> None:
                progress.update(task, total=total, completed=have)

            transfer = fetch(client, artifact, part, output, started, lambda n: progress.advance(task, n))
    if as_json:
        files = [{"path": str(f.path), "sha256": f.sha256, "verified": f.verified} for f in transfer.files]
        emit_json({"files": files, "resumed_from": transfer.resumed_from, "received": transfer.received})
        return
    if transfer.resumed_from:
        out.print(f"resumed after {transfer.resumed_from} bytes already received")
    for file in transfer.files:
        check = "sha256 verified" if file.verified else "no published sha256 to check"
        out.print(f"{file.path}  {file.sha256}  {check}")


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(ingest)
    app.command()(download)
