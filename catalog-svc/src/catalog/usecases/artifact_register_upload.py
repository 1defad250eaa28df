"""Register a package a user uploaded (presigned PUT) as an artifact."""

from catalog.deps import Deps
from catalog.domain.artifacts import InvalidName, StoredArtifact, new_artifact_id, validate_name
from catalog.usecases.ingest_artifact import ingest_artifact
from contracts.artifacts import Artifact
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import RegisterUpload, SourceKind, SourceRef


async def artifact_register_upload(command: RegisterUpload, deps: Deps) -> Artifact:
    """Like a registration by url, with the upload as the source (``upload://<id>/<file name>``); the card the
    uploader sent is the artifact's README (searched, and what a model's rating reads)."""
    try:
        name = validate_name(command.name)
    except InvalidName as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"Invalid name: {error}.") from error
    url = f"upload://{command.upload_id}/{command.filename}"
    artifact = StoredArtifact(id=new_artifact_id(), type=command.type, name=name, url=url, owner=command.actor.name)
    source = SourceRef(kind=SourceKind.UPLOAD, repo_id=command.upload_id, subpath=command.filename)
    return await ingest_artifact(deps, artifact, source, command.card, command.actor)
