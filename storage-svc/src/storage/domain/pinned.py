"""An upload object as registration found it (ETag and Last-Modified, kept as its package's revision), and the
conditions under which a read gets that version and nothing else.

S3's ETag of a single PUT is the MD5 of its body, and two bodies can be built to share one, so the ETag alone would
let an uploader swap in a twin. Last-Modified is the second the last PUT completed, set by S3 itself (a presigned
PUT cannot choose it). Registration waits until S3's clock has passed that second (``settled``), so any PUT that
completes afterwards carries a later Last-Modified and ``If-Unmodified-Since`` refuses it, whatever its bytes.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime


@dataclass(frozen=True)
class Pinned:
    """The version of an object a read must get: its ETag and, when known, its Last-Modified."""

    etag: str
    last_modified: datetime | None = None

    def revision(self) -> str:
        """How the index keeps it (a package's ``revision``): ``<etag>@<unix seconds>``."""
        return self.etag if self.last_modified is None else f"{self.etag}@{int(self.last_modified.timestamp())}"

    @classmethod
    def of(cls, revision: str | None) -> "Pinned | None":
        """The pinned version a package's revision names, or None (a package planned before uploads were pinned)."""
        if not revision:
            return None
        etag, _, seconds = revision.partition("@")
        return cls(etag, datetime.fromtimestamp(int(seconds), UTC) if seconds else None)

    def holds(self, etag: str, last_modified: datetime) -> bool:
        """Whether an object read with this ETag and Last-Modified is the pinned version."""
        return etag == self.etag and (self.last_modified is None or last_modified <= self.last_modified)

    def read_headers(self) -> dict[str, str]:
        """The one condition a presigned ranged read sends (S3 ignores If-Unmodified-Since beside If-Match, as RFC
        9110 says): the time when known, else the ETag."""
        if self.last_modified is None:
            return {"If-Match": self.etag}
        return {"If-Unmodified-Since": http_date(self.last_modified)}


def settled(last_modified: datetime, now: datetime) -> bool:
    """Whether S3's clock (``now``, the Date of its answer) has passed the second of ``last_modified``."""
    return now.replace(microsecond=0) > last_modified.replace(microsecond=0)


def http_date(moment: datetime) -> str:
    """``moment`` as an HTTP date (``Sun, 06 Dec 2026 19:21:58 GMT``), as botocore signs a timestamp header."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)
