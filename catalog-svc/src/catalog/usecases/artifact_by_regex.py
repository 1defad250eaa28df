"""Regular-expression search over names and README/card text."""

from catalog.adapters.search_index import SearchBusy, SearchTooSlow
from catalog.deps import Deps
from catalog.domain.search import InvalidPattern
from contracts.artifacts import SearchByRegex
from contracts.base import Encoded
from contracts.errors import ErrorCode, ServiceFailure


async def artifact_by_regex(query: SearchByRegex, deps: Deps) -> Encoded:
    """Artifacts with a match in their name or README, as the JSON array of their metadata the API answers
    (``ENCODED_REPLIES``); 400 for a bad, too costly or too slow pattern, 404 for no match, 503 when every search
    thread stayed busy until the deadline."""
    try:
        found = await deps.search.hits(query.regex)
    except InvalidPattern as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, str(error)) from error
    except SearchTooSlow as slow:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, _too_slow(slow)) from slow
    except SearchBusy as busy:
        raise ServiceFailure(
            ErrorCode.UNAVAILABLE, "Every regex search thread stayed busy with other searches; try again shortly."
        ) from busy
    if not found.items:
        raise ServiceFailure(ErrorCode.NOT_FOUND, "No artifact matches this regex.")
    return Encoded(found.encoded)


def _too_slow(slow: SearchTooSlow) -> str:
    megabytes = slow.text_bytes / 1e6
    return (
        f"regex too slow to search: stopped at its {slow.seconds:g} s deadline after {slow.scanned} of "
        f"{slow.total} artifacts ({megabytes:.1f} MB of names and READMEs in all); make it more specific, "
        "with fewer or shorter counted repetitions and alternatives"
    )
