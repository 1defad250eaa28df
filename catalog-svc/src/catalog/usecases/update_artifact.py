"""Replace an artifact's source (name and id must match the stored artifact)."""

from dataclasses import replace

from catalog.deps import Deps
from catalog.usecases._common import audit, envelope, load, look_up, parse, provision
from contracts.artifacts import Artifact, UpdateArtifact
from contracts.errors import ErrorCode, ServiceFailure


async def update_artifact(command: UpdateArtifact, deps: Deps) -> Artifact:
    """Look the new source up and store it with its README; 400 when the name does not match."""
    current = await load(deps, command.type, command.id)
    if command.name != current.name:
        raise ServiceFailure(
            ErrorCode.BAD_REQUEST,
            f"Name {command.name!r} does not match artifact {command.id} ({current.name!r}).",
        )
    source = parse(command.url, command.type)
    description = await look_up(deps, source, command.type)
    updated = replace(current, url=command.url)
    await provision(deps, updated, source.ref(description.revision))
    await deps.artifacts.replace_source(updated, description.readme, audit(deps, updated, command.actor, "UPDATE"))
    return envelope(updated)
