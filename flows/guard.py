"""The connect-time address guard: refuse private and reserved addresses where the socket connects.

Checking a host's addresses and then letting the HTTP client connect resolves the name
twice, and a name may answer a public address to the check and 127.0.0.1 to the connection
(DNS rebinding). Miniflux closes that window in its dialer's ``Control`` hook; here the same
check runs in an httpcore network backend: ``GuardedBackend.connect_tcp`` resolves the host
itself, refuses it when any of its addresses is refused, and connects to those very
addresses, never to the name. ``guarded_transport`` puts that backend under an httpx client.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import httpcore
import httpx

from extractors.errors import BlockedAddressError

# The same union as flows.settings.IPNetwork, spelled here so that the guard needs nothing
# from the settings module.
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: ``(host, port) -> IP strings``: how ``GuardedBackend`` turns a name into addresses.
Resolver = Callable[[str, int], Awaitable[list[str]]]

# RFC 6052 well-known NAT64 prefix: the last 32 bits are the IPv4 address a translator
# reaches. (RFC 8215's local-use 64:ff9b:1::/48 is not globally reachable: refused whole.)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def _translated_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that ``address`` merely spells in IPv6 (mapped or NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1 (RFC 4291, 2.5.5.2)
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def _tunnelled_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 endpoints a 6to4 (RFC 3056) or Teredo (RFC 4380) address leads to."""
    found = []
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.append(address.teredo[1])  # (server, client): the client is the endpoint
    return found


def is_refused_address(address: IPAddress, allowed: Sequence[IPNetwork]) -> bool:
    """True when newsflow must not connect to ``address``."""
    if any(address in network for network in allowed):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        translated = _translated_ipv4(address)
        if translated is not None:
            return is_refused_address(translated, allowed)
        if address in _NAT64_LOCAL:
            return True
        if any(is_refused_address(v4, allowed) for v4 in _tunnelled_ipv4(address)):
            return True
        if address.is_site_local:  # fec0::/10, deprecated (RFC 3879) but never public
            return True
    # is_global is False for loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
    # link-local (169.254/16, fe80::/10), CGNAT 100.64/10 and the rest of the IANA
    # special-purpose registries; multicast and reserved ranges need their own tests.
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's addresses for ``host`` (getaddrinfo), in its order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _parse(text: str) -> IPAddress:
    # A link-local IPv6 answer may carry a zone ("fe80::1%eth0"); the zone is no part
    # of the address being judged.
    return ipaddress.ip_address(text.split("%", 1)[0])


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that connects only to addresses ``is_refused_address`` accepts."""

    def __init__(
        self,
        allowed: Sequence[IPNetwork],
        *,
        resolver: Resolver | None = None,
        backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allowed = tuple(allowed)
        self._resolver = resolver or system_resolver
        # newsflow runs on asyncio (the resolver and timeouts here are asyncio's), so the
        # anyio backend is what httpcore's AutoBackend would pick anyway.
        self._backend = backend or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve ``host``, refuse it if any address is refused, else connect to one."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        addresses = await self._resolve(host, port, timeout)
        for text, address in addresses:
            # Refuse the host when any address is refused, as Miniflux and Tiny Tiny RSS
            # do: a round-robin name must not smuggle in a private address.
            if is_refused_address(address, self.allowed):
                shown = text.split("%", 1)[0]
                raise BlockedAddressError(
                    f"fetch: {host} resolves to {shown}, a private or reserved address "
                    "(allow it with NEWSFLOW_ALLOWED_NETWORKS)"
                )
        options = None if socket_options is None else list(socket_options)
        last: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for text, _address in addresses:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                raise httpcore.ConnectTimeout(f"cannot connect to {host}: timed out")
            try:
                # The IP string, never the name: the wrapped backend must not resolve again.
                return await self._backend.connect_tcp(
                    text,
                    port,
                    timeout=remaining,
                    local_address=local_address,
                    socket_options=options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # _resolve never returns an empty list
        raise last

    async def _resolve(
        self, host: str, port: int, timeout: float | None
    ) -> list[tuple[str, IPAddress]]:
        """The host's distinct addresses in resolver order; an IP literal is its own answer."""
        try:
            return [(host, _parse(host))]
        except ValueError:
            pass
        try:
            async with asyncio.timeout(timeout):
                answers = await self._resolver(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"cannot resolve {host}: timed out") from exc
        except OSError as exc:  # socket.gaierror, or the resolver's own failure
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from exc
        found: dict[str, tuple[str, IPAddress]] = {}
        for text in answers:
            try:
                found.setdefault(text.split("%", 1)[0], (text, _parse(text)))
            except ValueError as exc:
                raise httpcore.ConnectError(
                    f"cannot resolve {host}: {text!r} is not an IP address"
                ) from exc
        if not found:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        return list(found.values())

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Always refused: newsflow fetches over TCP only."""
        raise BlockedAddressError(f"fetch: Unix socket {path} refused (newsflow uses TCP only)")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does (httpcore's retry backoff)."""
        await self._backend.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own async transport, with its connection pool built on a GuardedBackend.

    Why a subclass: httpx 0.28's ``AsyncHTTPTransport.__init__`` accepts no network
    backend, but everything else it does (request and response conversion, and mapping
    httpcore exceptions to the httpx ones flows/fetch.py classifies) is what we want
    unchanged. A separate transport would have to copy that mapping and drift from it;
    replacing ``_pool`` costs one private attribute, checked below so that an httpx that
    renames it fails loudly instead of silently fetching unguarded (httpx is pinned <1).
    Exceptions that are not httpcore's, such as BlockedAddressError, pass through httpx's
    ``map_httpcore_exceptions`` unchanged.
    """

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        # Verification on, certifi's CA bundle, no SSL_CERT_* from the environment.
        ssl_context = httpx.create_ssl_context(verify=True, trust_env=False)
        super().__init__(
            verify=ssl_context, trust_env=False, http1=True, http2=False, limits=limits
        )
        if type(getattr(self, "_pool", None)) is not httpcore.AsyncConnectionPool:
            raise RuntimeError("guard: httpx.AsyncHTTPTransport no longer keeps its pool in _pool")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )
        self.backend = backend


def guarded_transport(
    *,
    allowed: Sequence[IPNetwork],
    max_connections: int,
    resolver: Resolver | None = None,
) -> httpx.AsyncHTTPTransport:
    """An httpx transport that refuses private and reserved addresses at connect time.

    Give the client ``trust_env=False`` too: with it on, httpx mounts proxy transports
    from HTTP(S)_PROXY around this one.
    """
    backend = GuardedBackend(allowed, resolver=resolver)
    return _GuardedTransport(backend, httpx.Limits(max_connections=max_connections))
