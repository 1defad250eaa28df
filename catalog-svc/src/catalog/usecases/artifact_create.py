"""Register an artifact: validate, confirm the source upstream, have storage record it, store metadata.

storage-svc records the package (and queues the copy of its bytes) and lineage-svc the node before the
catalog row commits; if any step fails the others are undone, so no artifact exists without its files'
record and lineage node, and none of those outlives a refused artifact.
"""

from catalog.deps import Deps
from catalog.domain.artifacts import InvalidName, StoredArtifact, new_artifact_id, validate_name
from catalog.usecases._common import look_up, parse
from catalog.usecases.ingest_artifact import ingest_artifact
from contracts.artifacts import Artifact, CreateArtifact
from contracts.errors import ErrorCode, ServiceFailure


async def artifact_create(command: CreateArtifact, deps: Deps) -> Artifact:
    """Create the artifact; 409 when the same type, name and url are already registered."""
    source = parse(command.url, command.type)
    try:
        name = validate_name(command.name if command.name is not None else source.default_name)
    except InvalidName as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"Invalid name: {error}.") from error
    for existing in await deps.artifacts.by_name(name):
        stored = await deps.artifacts.get(existing.id)
        if stored is not None and stored.type is command.type and stored.url == command.url:
            raise ServiceFailure(
                ErrorCode.CONFLICT,
                f"{command.type.value} {name!r} from this url already exists as id {stored.id}.",
            )
    description = await look_up(deps, source, command.type)
    artifact = StoredArtifact(
        id=new_artifact_id(), type=command.type, name=name, url=command.url, owner=command.actor.name
    )
    return await ingest_artifact(deps, artifact, source.ref(description.revision), description.readme, command.actor)
