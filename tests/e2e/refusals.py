"""One assertion for refusals: the status, and a message that says what is wrong."""

from tests.api import Reply


def assert_refused(reply: Reply, status: int, *says: str) -> None:
    """``reply`` has ``status`` and a JSON error whose ``message`` contains every one of ``says``."""
    assert reply.status == status, reply.body
    assert isinstance(reply.body, dict), reply.body
    message = reply.body["message"]
    for part in says:
        assert part in message, f"{part!r} not in {message!r}"
