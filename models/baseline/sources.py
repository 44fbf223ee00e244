"""Where each credential of an agent is used from: source addresses and their networks."""

import sys
from socket import AF_INET6, inet_pton
from struct import Struct
from typing import Any, Final

from intentwatch.models.baseline.base import Learner

_CAP: Final = 250  # counts stop here: small ints are shared objects, and "often" is enough


def network_of(ip: str | None) -> str | None:
    """The network of an address: its /24 for IPv4, its /48 for IPv6 (as a short string).

    IPv6 is parsed to its 16 bytes (the C parser behind ``ipaddress``' own checks,
    ``socket.inet_pton``: ``ipaddress.IPv6Address`` costs about 30 times more per call, and
    this is on the per-action path), so every spelling of an address gives one network
    (``2001:db8::1`` and ``2001:db8:0:0::1``); a zone (``%eth0``) is dropped, and an
    IPv4-mapped address (``::ffff:10.1.2.3``) is its IPv4 /24. IPv4 stays a string cut, the
    common case. A value that is not an address (CloudTrail's ``AWS Internal``, a service's
    host name) has no network, so the network checks leave it alone.

    >>> network_of("10.47.34.83"), network_of("2001:db8:85a3::8a2e:370:7334"), network_of(None)
    ('10.47.34', '2001:db8:85a3', None)
    >>> network_of("2001:db8::1") == network_of("2001:db8:0:0::1") == network_of("2001:0DB8:0::9") == "2001:db8:0"
    True
    >>> network_of("::ffff:10.1.2.3"), network_of("fe80::1%eth0"), network_of("not:an:address:at:all")
    ('10.1.2', 'fe80:0:0', None)
    >>> network_of("AWS Internal"), network_of("lambda.amazonaws.com")
    (None, None)
    """
    if not ip:
        return None
    if ":" not in ip:
        if not (ip[0].isdigit() and ip[-1].isdigit()):
            return None
        return ip.rpartition(".")[0] or ip
    try:
        b = inet_pton(AF_INET6, ip if "%" not in ip else ip.partition("%")[0])
    except (OSError, ValueError):  # not an address (ValueError: an embedded NUL)
        return None
    if b[:12] == _V4_MAPPED:
        return "%d.%d.%d" % (b[12], b[13], b[14])
    return "%x:%x:%x" % _first_48(b)


_V4_MAPPED: Final = bytes(10) + b"\xff\xff"
_first_48: Final = Struct(">3H").unpack_from  # the /48 as three 16-bit groups


class SourceProfile(Learner):
    """The source addresses and networks seen per credential, to tell a credential used
    from somewhere new.

    ``score_one`` is 0 for an address already seen with the credential, 0.5 for a new
    address in a network the credential already used, 1 for a network the credential never
    used (a credential the agent never presented scores 0.5 when the network is known from
    another of its credentials, else 1). An action without a source address scores 0.

    Bounded: ``max_credentials`` credentials, each with ``max_sources`` addresses and
    ``max_networks`` networks; the least used is evicted. Missing ``credential`` counts
    under the empty name.

    Parameters
    ----------
    max_credentials, max_sources, max_networks
        Bounds of the tables.
    key, network_key, credential_key
        Features read from ``x``; a missing network is derived from the address.

    Examples
    --------
    >>> s = SourceProfile()
    >>> for i in range(50):
    ...     s.learn_one({"credential": "key-1", "source_ip": f"10.0.0.{i % 4}"})
    >>> s.score_one({"credential": "key-1", "source_ip": "10.0.0.2"})
    0.0
    >>> s.score_one({"credential": "key-1", "source_ip": "10.0.0.9"})
    0.5
    >>> s.is_new_network("key-1", "146.70.124"), s.score_one({"credential": "key-1", "source_ip": "146.70.124.118"})
    (True, 1.0)
    """

    __slots__ = ('max_credentials', 'max_sources', 'max_networks', 'key', 'network_key', 'credential_key', 'creds')
    _PARAMS = ('max_credentials', 'max_sources', 'max_networks', 'key', 'network_key', 'credential_key')

    _STATE = ("creds",)

    def __init__(self, max_credentials: int = 4, max_sources: int = 16, max_networks: int = 8, key: str = "source_ip",
                 network_key: str = "network", credential_key: str = "credential"):
        self.max_credentials = max_credentials
        self.max_sources = max_sources
        self.max_networks = max_networks
        self.key = key
        self.network_key = network_key
        self.credential_key = credential_key
        self.creds: dict[str, list[dict[str, int]]] = {}  # credential -> [sources, networks]

    # -- learning -------------------------------------------------------------------------
    def update(self, credential: str, ip: str, network: str | None = None) -> None:
        """Record one use of ``credential`` from ``ip``."""
        entry = self.creds.get(credential)
        if entry is not None and entry[0].get(ip) == _CAP:
            return  # a well-known address: nothing to count
        if network is None:
            network = network_of(ip)
        if entry is None:
            if len(self.creds) >= self.max_credentials:
                del self.creds[min(self.creds, key=lambda c: sum(self.creds[c][1].values()))]
            entry = self.creds[sys.intern(credential)] = [{}, {}]
        _bump(entry[0], ip, self.max_sources)
        _bump(entry[1], network, self.max_networks)

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        ip = x.get(self.key)
        if ip is not None and weight > 0:
            self.update(x.get(self.credential_key) or "", ip, x.get(self.network_key))

    # -- reading --------------------------------------------------------------------------
    def is_new_source(self, credential: str | None, ip: str) -> bool:
        """True when ``credential`` was never seen from ``ip``."""
        entry = self.creds.get(credential or "")
        return entry is None or ip not in entry[0]

    def is_new_network(self, credential: str | None, network: str | None) -> bool:
        """True when ``credential`` was never seen from ``network``."""
        entry = self.creds.get(credential or "")
        return entry is None or network not in entry[1]

    def known_network(self, network: str | None) -> bool:
        """True when any credential of the agent was seen from ``network``."""
        return any(network in e[1] for e in self.creds.values())

    def newness(self, credential: str | None, ip: str, network: str | None = None) -> float:
        """0 known address, 0.5 new address in a known network, 1 new network."""
        entry = self.creds.get(credential or "")
        if entry is not None and ip in entry[0]:
            return 0.0
        if network is None:
            network = network_of(ip)
        if entry is not None:
            return 0.5 if network in entry[1] else 1.0
        return 0.5 if self.known_network(network) else 1.0

    def score_one(self, x: dict[str, Any]) -> float:
        ip = x.get(self.key)
        return 0.0 if ip is None else self.newness(x.get(self.credential_key), ip, x.get(self.network_key))

    def sources(self, credential: str | None) -> list[str]:
        """Addresses seen with ``credential``, most used first."""
        entry = self.creds.get(credential or "")
        return [] if entry is None else sorted(entry[0], key=lambda k: -entry[0][k])

    def networks(self, credential: str | None) -> list[str]:
        """Networks seen with ``credential``, most used first."""
        entry = self.creds.get(credential or "")
        return [] if entry is None else sorted(entry[1], key=lambda k: -entry[1][k])

    def _load(self, state: dict[str, Any]) -> None:
        self.creds = {sys.intern(c): [{sys.intern(k): v for k, v in e[0].items()},
                                      {sys.intern(k): v for k, v in e[1].items()}]
                      for c, e in state["creds"].items()}


def _bump(table: dict[str, int], key: str | None, bound: int) -> None:
    if key is None:
        return
    c = table.get(key)
    if c is None:
        if len(table) >= bound:
            del table[min(table, key=table.__getitem__)]
        table[sys.intern(key)] = 1
    elif c < _CAP:
        table[key] = c + 1
