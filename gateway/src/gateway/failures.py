"""What a 5xx answer may tell the client: a generic message per status, never the details.

Services word their failures for people, but a server error's detail is for operators: an S3 endpoint URL, an
upstream's response text, an exception. The gateway is the one place that replaces it, and logs it with the
request id the answer carries. One fact survives: which rating metrics could not be computed (they name what
failed, not how), picked from the failure only if they are metric names of the spec's ``ModelRating``.
"""

import re

from contracts.scoring import ModelRating

GENERIC = {
    500: "The registry could not complete this request.",
    501: "The registry does not support this request.",
    502: "An upstream service (Hugging Face or GitHub) could not be reached.",
    503: "A registry service is not available right now; try again shortly.",
    504: "A registry service did not answer in time; try again shortly.",
    507: "The registry's storage is full; nothing was stored.",
}
LOGS = "The details are in the registry's logs under this request id."
METRICS = frozenset(name.removesuffix("_latency") for name in ModelRating.model_fields if name.endswith("_latency"))
_UNCOMPUTED = re.compile(r"could not compute ([a-z_]+(?:, [a-z_]+)*)")


def public_message(status: int, detail: str) -> str:
    """The message a ``status`` (5xx) answer carries in place of ``detail``."""
    message = GENERIC.get(status, GENERIC[500])
    metrics = uncomputed_metrics(detail)
    if metrics:
        message += f" Rating metrics that could not be computed: {', '.join(metrics)}."
    return f"{message} {LOGS}"


def uncomputed_metrics(detail: str) -> list[str]:
    """The rating metrics a failure says could not be computed (only real metric names)."""
    found = _UNCOMPUTED.search(detail)
    return [name for name in found.group(1).split(", ") if name in METRICS] if found else []
