"""Where an organiser's webhook may point: a public address of the internet, never this machine,
its network or the cloud's metadata service (a request forgery from our side otherwise). A URL is
judged by every address its host resolves to, however the host is written (127.1, 2130706433,
0x7f000001, 0177.0.0.1, [::ffff:127.0.0.1] and names all resolve to what they mean), once when it
is registered and again before each POST, which goes to the very address that was checked."""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 forms that carry an IPv4 address in their last 32 bits: behind a translating gateway
# (NAT64), and the deprecated IPv4-compatible ::a.b.c.d, which Python counts as global
EMBEDDING_IPV4 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use translation (RFC 8215), never public


class Refused(ValueError):
    """The URL leads nowhere a webhook may go; the message says why."""


@dataclass(frozen=True)
class Destination:
    """A webhook's URL, its host resolved and checked: the POST goes to `address`."""

    https: bool
    host: str  # as the URL names it: the Host header and the name the certificate must bear
    netloc: str
    port: int
    target: str  # path and query
    address: str


def allowance(setting: str) -> frozenset[tuple[Address, int]]:
    """NOTIFICATIONS_WEBHOOK_ALLOW_HOSTS, `address:port` entries separated by commas (an IPv6
    address in brackets): the private destinations a development machine or the tests may reach,
    such as a receiver on 127.0.0.1. Empty unless set, and never to be set in production."""
    allowed = set()
    for entry in filter(None, (part.strip() for part in setting.split(","))):
        host, _, port = entry.rpartition(":")
        allowed.add((ipaddress.ip_address(host.strip("[]")), int(port)))
    return frozenset(allowed)


def _public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and any(address in network for network in EMBEDDING_IPV4):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _public(embedded)
        if address.is_site_local or address in LOCAL_NAT64:
            return False
    return address.is_global and not address.is_multicast


def _resolved(host: str, port: int) -> list[Address]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve") from exc
    # an IPv6 answer may carry a zone ("fe80::1%eth0"): the address is what is judged
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def destination(url: str, allowed: Iterable[tuple[Address, int]] = ()) -> Destination:
    """`url` resolved once, every address checked; Refused if any is not public (a name may
    answer with several, and which one a connection would take is not ours to say)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("must be an http or https URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Refused("has no valid port") from exc
    addresses = _resolved(parts.hostname, port)
    exempt = set(allowed)
    for address in addresses:
        if not _public(address) and (address, port) not in exempt:
            raise Refused(f"must lead to a public address of the internet, not {address}")
    return Destination(
        https=parts.scheme == "https",
        host=parts.hostname,
        netloc=parts.netloc.rpartition("@")[2],
        port=port,
        target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        address=str(addresses[0]),
    )
