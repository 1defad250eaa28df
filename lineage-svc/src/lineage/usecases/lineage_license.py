"""May a GitHub repository's code be used to fine-tune a model and serve inference? (docs/licenses.md)"""

from contracts.artifacts import ArtifactType
from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import LicenseAnswer, LicenseQuery
from lineage.deps import Deps
from lineage.domain.graph import dependency_closure
from lineage.domain.licenses import may_finetune_and_serve
from lineage.ports import LicenseUnavailable, RepositoryMissing
from lineage.usecases.lineage_graph import snapshot
from svckit.upstream_paths import BadUpstreamUrl, github_repo_of_url


def github_repo(url: str) -> str:
    """``owner/repo`` of a GitHub url; 400 saying what is wrong for anything else (``svckit.upstream_paths``)."""
    try:
        return github_repo_of_url(url)
    except BadUpstreamUrl as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"github_url: {error}.") from error


async def lineage_license(query: LicenseQuery, deps: Deps) -> LicenseAnswer:
    """The model's licence and its ancestors' against the repository's, by the documented matrix.

    A repository stating no licence is of the unknown family (every right reserved): the answer is ``false`` with
    that reason; 502 is only for a GitHub that could not be asked.
    """
    repo = github_repo(query.github_url)
    graph = await snapshot(deps)
    model = graph.node(query.artifact_id, ArtifactType.MODEL)
    try:
        code_licence = await deps.upstream.github_license(repo)
    except RepositoryMissing as error:
        raise ServiceFailure(ErrorCode.NOT_FOUND, str(error)) from error
    except LicenseUnavailable as error:
        raise ServiceFailure(
            ErrorCode.UPSTREAM_FAILED, f"The repository's licence could not be retrieved: {error}."
        ) from error
    ancestors = [
        graph.nodes[i] for i in dependency_closure(model.artifact_id, graph.parents)[1:]
        if graph.nodes[i].type is ArtifactType.MODEL
    ]  # fmt: skip
    verdict = may_finetune_and_serve(
        code_licence, model.metadata.get("license"), [a.metadata.get("license") for a in ancestors]
    )
    return LicenseAnswer(allowed=verdict.allowed, reason=verdict.reason)
