"""Which targets webhooks may reach: public addresses, and what the operator allows (WEBHOOK_ALLOW_PRIVATE_NETWORKS)."""

import pytest

from webhooks.adapters.targets import ResolvingTargets
from webhooks.domain.targets import RefusedTarget, check_address, parse_allowed, parse_target

NOTHING = parse_allowed("")
LOOPBACK = parse_allowed("loopback")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback"),
        ("127.8.9.10", "a loopback"),
        ("::1", "a loopback"),
        ("::ffff:127.0.0.1", "a loopback"),
        ("10.0.0.1", "a private"),
        ("192.168.1.1", "a private"),
        ("172.16.5.4", "a private"),
        ("169.254.169.254", "a link-local"),
        ("fe80::1", "a link-local"),
        ("224.0.0.1", "a multicast"),
        ("0.0.0.0", "an unspecified"),
        ("240.0.0.1", "a private"),
        ("100.100.100.200", "a non-public"),  # shared address space (RFC 6598): a cloud's metadata service
        ("100.64.0.1", "a non-public"),
    ],
)
def test_non_public_addresses_are_refused_by_default_saying_what_they_are(address: str, kind: str) -> None:
    with pytest.raises(RefusedTarget, match=f"is {kind} address"):
        check_address(address, NOTHING)


def test_public_addresses_pass() -> None:
    assert str(check_address("93.184.216.34", NOTHING)) == "93.184.216.34"
    assert str(check_address("2606:4700:4700::1111", NOTHING)) == "2606:4700:4700::1111"


def test_an_operator_allows_loopback_or_cidrs_and_nothing_else() -> None:
    assert str(check_address("127.0.0.1", LOOPBACK)) == "127.0.0.1"
    assert str(check_address("::1", LOOPBACK)) == "::1"
    with pytest.raises(RefusedTarget, match="private"):
        check_address("10.0.0.1", LOOPBACK)
    lab = parse_allowed("10.20.0.0/16, private")
    assert str(check_address("10.20.3.4", lab)) == "10.20.3.4"
    assert str(check_address("192.168.0.7", lab)) == "192.168.0.7"
    with pytest.raises(ValueError, match="not a CIDR"):
        parse_allowed("loopback,intranet")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "must be http or https"),
        ("file:///etc/passwd", "must be http or https"),
        ("http:///path", "has no host"),
        ("https://user:pw@example.com/", "must not carry credentials"),
        ("http://example.com:99999/", "malformed"),
    ],
)
def test_urls_that_are_not_plain_http_targets_are_refused(url: str, reason: str) -> None:
    with pytest.raises(RefusedTarget, match=reason):
        parse_target(url)


async def test_a_name_is_checked_by_every_address_it_resolves_to() -> None:
    with pytest.raises(RefusedTarget, match=r"'localhost' resolves to .* loopback address"):
        await ResolvingTargets(NOTHING).check("http://localhost:8000/hook")
    await ResolvingTargets(LOOPBACK).check("http://localhost:8000/hook")
    with pytest.raises(RefusedTarget, match="cannot be resolved"):
        await ResolvingTargets(NOTHING).check("https://no-such-host.invalid/hook")
    with pytest.raises(RefusedTarget, match=r"127\.0\.0\.2 is a loopback address"):
        await ResolvingTargets(NOTHING).check("http://127.0.0.2/hook")
