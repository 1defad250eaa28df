"""Signed, time-limited links to storage-svc's own byte endpoint, checked by any replica holding the same key.

A link names exactly what it serves (artifact, part, one file or all of the part, the package generation it was
made for) and when it expires; the HMAC-SHA256 over those fields with ``STORAGE_LINK_KEY`` makes it unforgeable
and unchangeable, the way a presigned S3 URL is.
"""

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class LinkTarget:
    """What one link serves: the part's files, or only ``path`` of it, of one generation, until ``expires``."""

    artifact_id: str
    part: str
    generation: int
    expires: int
    path: str = ""

    def message(self) -> bytes:
        """The signed bytes (fields joined by a separator no field may contain unescaped)."""
        fields = (self.artifact_id, self.part, str(self.generation), str(self.expires), self.path)
        return "\n".join(fields).encode()


def sign(target: LinkTarget, key: bytes) -> str:
    """The hex HMAC-SHA256 of ``target``."""
    return hmac.new(key, target.message(), hashlib.sha256).hexdigest()


def valid(target: LinkTarget, signature: str, key: bytes, now: float) -> str:
    """Why a link may not be served ("" when it may): a wrong signature, or past its expiry."""
    if not hmac.compare_digest(sign(target, key), signature):
        return "This download link is not valid: ask GET /download/{id} for a new one."
    if now > target.expires:
        return "This download link has expired: ask GET /download/{id} for a new one."
    return ""


def link_url(base_url: str, target: LinkTarget, key: bytes) -> str:
    """The URL of ``target`` on the byte endpoint at ``base_url``."""
    query = {"g": target.generation, "exp": target.expires, "sig": sign(target, key)}
    if target.path:
        query["path"] = target.path
    return f"{base_url.rstrip('/')}/bytes/{target.artifact_id}/{target.part}?{urlencode(query)}"


def attachment_disposition(filename: str) -> str:
    """A ``Content-Disposition`` saving the body as ``filename`` (RFC 6266, with a UTF-8 ``filename*``)."""
    cleaned = "".join(c if c.isprintable() else "_" for c in filename)
    fallback = "".join(c if c.isascii() and c not in '"\\' else "_" for c in cleaned)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"
