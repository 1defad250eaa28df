"""The version of an upload object registration pins: how the index keeps it, and what a read must match."""

from datetime import UTC, datetime, timedelta, timezone

from storage.domain.pinned import Pinned, http_date, settled

AT = datetime(2026, 12, 6, 19, 21, 58, tzinfo=UTC)


def test_a_pinned_version_is_kept_as_its_etag_and_last_modified_second() -> None:
    pinned = Pinned('"aee9e38cb4d40ec2794542567539b4c8"', AT)
    assert pinned.revision() == f'"aee9e38cb4d40ec2794542567539b4c8"@{int(AT.timestamp())}'
    assert Pinned.of(pinned.revision()) == pinned
    assert Pinned.of('"aee9"') == Pinned('"aee9"')  # an ETag alone
    assert Pinned.of(None) is None


def test_only_the_same_etag_no_later_than_the_pinned_second_holds() -> None:
    pinned = Pinned('"a"', AT)
    assert pinned.holds('"a"', AT)
    assert not pinned.holds('"a"', AT + timedelta(seconds=1))  # the same bytes (or an MD5 twin) PUT again later
    assert not pinned.holds('"b"', AT)
    assert Pinned('"a"').holds('"a"', AT + timedelta(days=1))


def test_a_read_is_conditional_on_the_time_when_known_else_the_etag() -> None:
    assert Pinned('"a"', AT).read_headers() == {"If-Unmodified-Since": "Sun, 06 Dec 2026 19:21:58 GMT"}
    assert Pinned('"a"').read_headers() == {"If-Match": '"a"'}
    assert http_date(AT.astimezone(timezone(timedelta(hours=2)))) == "Sun, 06 Dec 2026 19:21:58 GMT"


def test_a_version_is_settled_once_the_clock_has_left_its_second() -> None:
    assert not settled(AT, AT + timedelta(milliseconds=900))
    assert settled(AT, AT + timedelta(seconds=1))
