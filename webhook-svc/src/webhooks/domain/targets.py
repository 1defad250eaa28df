"""Which webhook targets may be called: http(s) URLs whose addresses are public, unless an operator allows more.

The same rule is applied when a subscription is made (the host's addresses then) and at every delivery (the
addresses the connection is about to use), so a name that later resolves to a private address (DNS rebinding)
is refused at delivery too.
"""

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names an operator may use in WEBHOOK_ALLOW_PRIVATE_NETWORKS instead of CIDRs.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "loopback": ("127.0.0.0/8", "::1/128"),
    "private": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
}


class RefusedTarget(ValueError):
    """A target URL or address webhooks may not be sent to; the message says why."""


def parse_allowed(text: str) -> tuple[IPNetwork, ...]:
    """``WEBHOOK_ALLOW_PRIVATE_NETWORKS``: a comma list of CIDRs and the keywords ``loopback`` and ``private``."""
    networks: list[IPNetwork] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        for cidr in KEYWORDS.get(item.lower(), (item,)):
            try:
                networks.append(ipaddress.ip_network(cidr, strict=False))
            except ValueError as error:
                raise ValueError(f"not a CIDR nor one of {sorted(KEYWORDS)}: {item!r}") from error
    return tuple(networks)


def _kind(address: IPAddress) -> str | None:
    """What makes ``address`` non-public, or None: its kind, or else anything the IANA registries do not mark
    globally reachable (``is_global``: shared 100.64.0.0/10, where some clouds keep their metadata service, is
    neither private nor reserved)."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    )
    return next((name for name, hit in checks if hit), None if address.is_global else "non-public")


def check_address(raw: str, allowed: Iterable[IPNetwork]) -> IPAddress:
    """The address, or ``RefusedTarget`` when it is not public and no allowed network holds it."""
    address = ipaddress.ip_address(raw.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed if network.version == address.version):
        return address
    kind = _kind(address)
    if kind is not None:
        raise RefusedTarget(
            f"{address} is {'an' if kind[0] in 'aeiou' else 'a'} {kind} address; webhooks go to public addresses only "
            "(an operator may allow networks with WEBHOOK_ALLOW_PRIVATE_NETWORKS)"
        )
    return address


def parse_target(url: str) -> tuple[str, str | None]:
    """The URL's host, and the host itself when it is an IP literal; ``RefusedTarget`` unless http(s) with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        raise RefusedTarget(f"the url is malformed: {error}") from error
    if parts.scheme not in ("http", "https"):
        raise RefusedTarget(f"the url must be http or https (got {parts.scheme or 'no scheme'!r})")
    host = parts.hostname
    if not host:
        raise RefusedTarget("the url has no host")
    if parts.username or parts.password:
        raise RefusedTarget("the url must not carry credentials")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host, None
    return host, host
