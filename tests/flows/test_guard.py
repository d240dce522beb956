"""The connect-time guard: addresses are judged where the socket connects, on loopback only."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.conftest as test_guard
from extractors.errors import BlockedAddressError
from flows.guard import (
    GuardedBackend,
    IPNetwork,
    Resolver,
    guarded_transport,
    is_refused_address,
)
from tests.flows.routes import Reply, RouteServer

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with RouteServer() as s:
        s.route("/x", Reply(200, b"hello", headers={"Content-Type": "text/plain"}))
        yield s


@contextmanager
def connects() -> Iterator[list[str]]:
    """The addresses of every socket.connect made inside the block (PEP 578 audit events)."""
    events: list[tuple[str, str]] = []
    test_guard.socket_events = events
    seen: list[str] = []
    try:
        yield seen
    finally:
        test_guard.socket_events = None
        seen.extend(args for name, args in events if name == "socket.connect")


def port_of(server: RouteServer) -> int:
    return int(server.httpd.server_address[1])


def static(answers: dict[str, list[str]], calls: list[tuple[str, int]] | None = None) -> Resolver:
    """A resolver that knows only ``answers``; it records its calls when asked to."""

    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append((host, port))
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    return resolve


def get(
    url: str,
    *,
    allowed: list[IPNetwork],
    resolver: Resolver | None = None,
    timeout: httpx.Timeout | None = None,
) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = guarded_transport(allowed=allowed, max_connections=4, resolver=resolver)
        async with httpx.AsyncClient(
            transport=transport, trust_env=False, timeout=timeout or httpx.Timeout(5.0)
        ) as client:
            return await client.get(url)

    return asyncio.run(run())


# --- is_refused_address -------------------------------------------------------------

REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # CGNAT, RFC 6598
    "169.254.169.254",  # link-local: cloud metadata endpoints
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "ff0e::1",  # global-scope multicast is still multicast
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "2002:0a00:0001::1",  # 6to4 of 10.0.0.1
    "2002:7f00:0001::1",  # 6to4 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::5db8:d822",  # local-use NAT64 prefix, RFC 8215
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
]
ACCEPTED = [
    "93.184.216.34",
    "2606:2800:220:1:248:1893:25c8:1946",
    "::ffff:93.184.216.34",
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34: judged by the address it reaches
    "2002:5db8:d822::1",  # 6to4 of 93.184.216.34
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_addresses(text: str) -> None:
    assert is_refused_address(ipaddress.ip_address(text), []) is True


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_addresses(text: str) -> None:
    assert is_refused_address(ipaddress.ip_address(text), []) is False


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("127.0.0.1", "127.0.0.0/8"),
        ("::ffff:127.0.0.1", "127.0.0.0/8"),  # judged by the embedded address
        ("64:ff9b::a00:1", "10.0.0.0/8"),
        ("10.1.2.3", "10.0.0.0/8"),
        ("fd12:3456::1", "fd00::/8"),
        ("::1", "::1/128"),
    ],
)
def test_allowed_networks_let_addresses_through(text: str, allowed: str) -> None:
    address = ipaddress.ip_address(text)
    assert is_refused_address(address, []) is True
    assert is_refused_address(address, [ipaddress.ip_network(allowed)]) is False


def test_an_allowed_network_lets_only_its_own_addresses_through() -> None:
    allowed = [ipaddress.ip_network("127.0.0.0/8")]
    assert is_refused_address(ipaddress.ip_address("10.0.0.1"), allowed) is True
    assert is_refused_address(ipaddress.ip_address("::1"), allowed) is True


ipv4s = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)
networks = st.builds(
    lambda address, prefix: ipaddress.ip_network(f"{address}/{prefix}", strict=False),
    ipv4s,
    st.integers(0, 32),
)


@given(ipv4s)
def test_ipv6_spellings_of_an_ipv4_address_are_judged_as_it(v4: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    nat64 = ipaddress.IPv6Address(f"64:ff9b::{v4}")
    expected = is_refused_address(v4, [])
    assert is_refused_address(mapped, []) is expected
    assert is_refused_address(nat64, []) is expected


@given(ipv4s, st.lists(networks, max_size=3))
def test_allowing_networks_never_refuses_more(
    v4: ipaddress.IPv4Address, allowed: list[IPNetwork]
) -> None:
    if is_refused_address(v4, allowed):
        assert is_refused_address(v4, [])
    assert not is_refused_address(v4, [ipaddress.ip_network(f"{v4}/32")])


@given(st.integers(0, 2**24 - 1))
def test_6to4_of_any_10_8_address_is_refused(low: int) -> None:
    v4 = ipaddress.IPv4Address((10 << 24) | low)
    assert is_refused_address(ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80)), [])


# --- through an httpx client ----------------------------------------------------------


def test_loopback_is_refused_before_any_request(server: RouteServer) -> None:
    with connects() as seen, pytest.raises(BlockedAddressError) as caught:
        get(f"{server.base}/x", allowed=[])
    assert type(caught.value) is BlockedAddressError  # not wrapped in an httpx error
    assert str(caught.value) == (
        "fetch: 127.0.0.1 resolves to 127.0.0.1, a private or reserved address "
        "(allow it with NEWSFLOW_ALLOWED_NETWORKS)"
    )
    assert server.hits == []
    assert seen == []


def test_allowed_loopback_is_fetched(server: RouteServer) -> None:
    response = get(f"{server.base}/x", allowed=LOOPBACK)
    assert response.status_code == 200
    assert response.content == b"hello"
    assert [path for path, _ in server.hits] == ["/x"]


def test_an_ip_literal_is_not_resolved(server: RouteServer) -> None:
    calls: list[tuple[str, int]] = []
    response = get(f"{server.base}/x", allowed=LOOPBACK, resolver=static({}, calls))
    assert response.status_code == 200
    assert calls == []


def test_the_connection_goes_to_the_checked_address(server: RouteServer) -> None:
    port = port_of(server)
    calls: list[tuple[str, int]] = []
    resolver = static({"news.test": ["127.0.0.1"]}, calls)
    with connects() as seen:
        response = get(f"http://news.test:{port}/x", allowed=LOOPBACK, resolver=resolver)
    assert response.content == b"hello"
    assert calls == [("news.test", port)]
    assert seen and all("127.0.0.1" in args for args in seen)
    assert server.hits[0][1]["Host"] == f"news.test:{port}"


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        (["93.184.216.34", "127.0.0.1"], "127.0.0.1"),  # one public, one private
        (["10.0.0.1"], "10.0.0.1"),
        (["::ffff:127.0.0.1"], "::ffff:127.0.0.1"),
        (["fe80::1%eth0"], "fe80::1"),
    ],
)
def test_a_host_with_any_refused_address_is_refused_without_connecting(
    server: RouteServer, answers: list[str], named: str
) -> None:
    resolver = static({"rebind.test": answers})
    with connects() as seen, pytest.raises(BlockedAddressError) as caught:
        get(f"http://rebind.test:{port_of(server)}/x", allowed=[], resolver=resolver)
    assert type(caught.value) is BlockedAddressError
    assert str(caught.value).startswith(f"fetch: rebind.test resolves to {named}, a private")
    assert seen == []
    assert server.hits == []


def test_a_mapped_loopback_literal_is_refused(server: RouteServer) -> None:
    with pytest.raises(BlockedAddressError, match=r"resolves to ::ffff:127\.0\.0\.1"):
        get(f"http://[::ffff:127.0.0.1]:{port_of(server)}/x", allowed=[])
    assert server.hits == []


def test_an_unresolvable_name_is_an_httpx_connect_error() -> None:
    with pytest.raises(httpx.ConnectError, match=r"cannot resolve nowhere\.test: Name or service"):
        get("http://nowhere.test/x", allowed=LOOPBACK, resolver=static({}))


def test_a_resolver_with_no_answer_is_an_httpx_connect_error() -> None:
    resolver = static({"empty.test": []})
    with pytest.raises(httpx.ConnectError, match=r"cannot resolve empty\.test: no addresses"):
        get("http://empty.test/x", allowed=LOOPBACK, resolver=resolver)


def test_a_slow_resolver_is_an_httpx_connect_timeout() -> None:
    async def slow(host: str, port: int) -> list[str]:
        await asyncio.sleep(5)
        return ["127.0.0.1"]

    with pytest.raises(httpx.ConnectTimeout, match=r"cannot resolve slow\.test"):
        get("http://slow.test/x", allowed=LOOPBACK, resolver=slow, timeout=httpx.Timeout(0.2))


def test_the_next_address_is_tried_when_one_does_not_connect(server: RouteServer) -> None:
    # Nothing listens on 127.0.0.2 (the server binds 127.0.0.1): refused, then the next.
    resolver = static({"news.test": ["127.0.0.2", "127.0.0.1"]})
    with connects() as seen:
        response = get(f"http://news.test:{port_of(server)}/x", allowed=LOOPBACK, resolver=resolver)
    assert response.status_code == 200
    assert ["127.0.0.2" in args for args in seen] == [True, False]


def test_when_no_address_connects_the_last_error_is_raised(server: RouteServer) -> None:
    resolver = static({"news.test": ["127.0.0.2", "127.0.0.3"]})
    with pytest.raises(httpx.ConnectError):
        get(f"http://news.test:{port_of(server)}/x", allowed=LOOPBACK, resolver=resolver)
    assert server.hits == []


def test_httpx_still_classifies_read_timeouts(server: RouteServer) -> None:
    server.route("/slow", Reply(200, b"late", delay=1.0))
    with pytest.raises(httpx.ReadTimeout):
        get(f"{server.base}/slow", allowed=LOOPBACK, timeout=httpx.Timeout(5.0, read=0.2))


# --- the backend on its own -----------------------------------------------------------


class Recording(httpcore.AsyncNetworkBackend):
    """The real anyio backend, noting the hosts it is asked to connect to."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.hosts: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        self.hosts.append(f"sleep {seconds}")


def test_the_wrapped_backend_is_given_addresses_never_names(server: RouteServer) -> None:
    recording = Recording()
    resolver = static({"news.test": ["127.0.0.1", "127.0.0.1"]})
    backend = GuardedBackend(LOOPBACK, resolver=resolver, backend=recording)

    async def run() -> None:
        stream = await backend.connect_tcp("news.test", port_of(server), timeout=2)
        await stream.aclose()
        await backend.sleep(0)

    asyncio.run(run())
    assert recording.hosts == ["127.0.0.1", "sleep 0"]  # duplicates are tried once


def test_a_refused_host_never_reaches_the_wrapped_backend(server: RouteServer) -> None:
    recording = Recording()
    resolver = static({"rebind.test": ["127.0.0.1", "10.0.0.1"]})
    backend = GuardedBackend(LOOPBACK, resolver=resolver, backend=recording)
    with pytest.raises(BlockedAddressError, match=r"resolves to 10\.0\.0\.1"):
        asyncio.run(backend.connect_tcp("rebind.test", port_of(server)))
    assert recording.hosts == []


def test_unix_sockets_are_refused() -> None:
    recording = Recording()
    backend = GuardedBackend(LOOPBACK, backend=recording)
    with pytest.raises(BlockedAddressError, match="Unix socket"):
        asyncio.run(backend.connect_unix_socket("/run/docker.sock"))
