"""The CLI's stored login: the token, for which registry and user, and what is left of it.

A token of this registry lasts a number of calls and a number of hours, whichever ends first (the server's
``TOKEN_MAX_USES`` and ``TOKEN_LIFETIME_HOURS``, 1000 and 10 by default). The registry does not tell a client how
many uses remain, so this file counts the calls this CLI makes with it: ``calls_left`` is an upper bound when the
token is also used elsewhere. The file lives in the user's config directory with mode 0600.
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MAX_CALLS = 1000
DEFAULT_LIFETIME_HOURS = 10.0


class Session(BaseModel):
    """A login as stored."""

    model_config = ConfigDict(extra="forbid")

    url: str
    user: str
    token: str
    issued_at: datetime
    max_calls: int = Field(default=DEFAULT_MAX_CALLS, ge=1)
    lifetime_hours: float = Field(default=DEFAULT_LIFETIME_HOURS, gt=0)
    calls_used: int = Field(default=0, ge=0)

    @property
    def expires_at(self) -> datetime:
        """When the token's lifetime ends."""
        return self.issued_at + timedelta(hours=self.lifetime_hours)

    def calls_left(self) -> int:
        """Calls left, as far as this CLI knows (at most this many)."""
        return max(0, self.max_calls - self.calls_used)

    def time_left(self, now: datetime | None = None) -> timedelta:
        """Time left before the token expires (zero once it has)."""
        return max(timedelta(0), self.expires_at - (now or datetime.now(UTC)))

    def expired(self, now: datetime | None = None) -> bool:
        """Whether the token has run out of calls or of time."""
        return self.calls_left() == 0 or self.time_left(now) == timedelta(0)


def session_file() -> Path:
    """``<user config dir>/registry/session.json`` (``XDG_CONFIG_HOME`` is honoured on Linux)."""
    return Path(platformdirs.user_config_dir("registry", appauthor=False)) / "session.json"


def load() -> Session | None:
    """The stored login, or None when there is none."""
    path = session_file()
    if not path.exists():
        return None
    return Session.model_validate_json(path.read_bytes())


def save(session: Session) -> Path:
    """Store the login (mode 0600 from its creation: the token is never readable by others, even briefly)."""
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as sink:
        sink.write(session.model_dump_json(indent=2))
    os.replace(temporary, path)
    return path


def forget() -> bool:
    """Remove the stored login; whether there was one."""
    path = session_file()
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed
