"""One POST to a receiver, with the guards a server that calls URLs typed by people needs (SSRF).

The URL is typed by staff, but a mistyped or malicious one must not make the platform call its own network: only
HTTPS, no user:password@, and the host's addresses are resolved at send time and refused unless public (a name
that resolves to 10.0.0.5 or 127.0.0.1 today is refused today). The connection goes to the address that was
checked (no second lookup a rebinding DNS could answer differently), while TLS still verifies the certificate
for the host name. Redirects are not followed, timeouts are short, at most a few KB of the answer are read, and
nothing a receiver sends makes this raise: every outcome is a `Response`. The read timeout bounds each wait; a
watchdog bounds the whole exchange after connecting to the same time, so a receiver that trickles a byte now and
then cannot hold a worker for long.

SLIPCHECK_WEBHOOKS_ALLOW_HTTP (tests, local development) allows private and loopback addresses, and plain HTTP
to loopback only.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
EXCERPT_CHARS = 300
LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class Response:
    """What came of one request: a status code, or an error (then status_code is None)."""

    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Refused(Exception):
    """The URL or the address it resolves to is not one the platform calls."""


def _dev_mode() -> bool:
    return bool(getattr(settings, "SLIPCHECK_WEBHOOKS_ALLOW_HTTP", False))


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id is no part of the address
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        return ip.ipv4_mapped
    return ip


# IPv6 ranges that carry an IPv4 address, which a translator or tunnel on the path may reach: NAT64 (RFC 6052,
# RFC 8215), 6to4, Teredo, IPv4-compatible (deprecated); and site-local (deprecated, private in effect).
# `is_global` lets some of them through, so they are refused outright whatever the address inside.
_CARRY_IPV4 = tuple(
    ipaddress.ip_network(net)
    for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96", "fec0::/10")
)


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Public unicast only (no private, loopback, link-local, shared, reserved or multicast ranges, nor an IPv6
    address that may lead to an IPv4 one), unless the development setting allows every address."""
    if _dev_mode():
        return True
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in net for net in _CARRY_IPV4):
        return False
    return ip.is_global and not ip.is_multicast


def _is_loopback(host: str) -> bool:
    ip = _ip(host)
    return ip.is_loopback if ip else host.lower().rstrip(".") in LOOPBACK_NAMES


def _split(url: str) -> SplitResult:
    parts = urlsplit(url.strip())
    parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    return parts


def url_problem(url: str) -> str | None:
    """Why the platform will not call this URL (in the reader's language), or None. The addresses a name
    resolves to are checked at send time, since they can change."""
    try:
        parts = _split(url)
    except ValueError:
        return _("This is not a valid URL.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return _("A webhook URL may not contain a user name or password.")
    host = parts.hostname or ""
    if not host:
        return _("This is not a valid URL.")
    if parts.scheme == "http":
        if not (_dev_mode() and _is_loopback(host)):
            return _("A webhook URL must use HTTPS.")
    elif parts.scheme != "https":
        return _("A webhook URL must use HTTPS.")
    ip = _ip(host)
    if ip is not None and not address_allowed(ip):
        return _("A webhook URL may not point to a private, loopback or link-local address.")
    return None


def resolve(host: str, port: int) -> str:
    """The address to connect to; Refused when the name does not resolve or any of its addresses is not
    public (a name with one public and one private address is refused: which one a client picks is not ours)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"cannot resolve {host}: {error}") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Refused(f"cannot resolve {host}")
    for address in addresses:
        ip = _ip(address)
        if ip is None or not address_allowed(ip):
            raise Refused(f"{host} resolves to {address}, which is not a public address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to by now; once connected, the whole
    exchange has `timeout` seconds (a watchdog shuts the socket down then: `cut`)."""

    def __init__(self, host: str, port: int, *, address: str, connect_timeout: float, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address, self._connect_timeout = address, connect_timeout
        self._watchdog: threading.Timer | None = None
        self.cut = False

    def _open(self) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), timeout=self._connect_timeout)
        sock.settimeout(self.timeout)
        return sock

    def _watch(self, sock: socket.socket) -> None:
        def cut() -> None:
            self.cut = True
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # a blocked read returns at once

        self._watchdog = threading.Timer(self.timeout, cut)
        self._watchdog.daemon = True
        self._watchdog.start()

    def connect(self) -> None:
        self.sock = self._open()
        self._watch(self.sock)

    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        super().close()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, *args, context: ssl.SSLContext, **kwargs):
        super().__init__(*args, **kwargs)
        self._context = context

    def connect(self) -> None:
        # The certificate is checked against the host name typed, not the address connected to.
        self.sock = self._context.wrap_socket(self._open(), server_hostname=self.host)
        self._watch(self.sock)


def tls_context() -> ssl.SSLContext:
    """The system's trust store; a test may point SSL_CERT_FILE elsewhere."""
    return ssl.create_default_context()


def _excerpt(data: bytes) -> str:
    return _CONTROL.sub(" ", data.decode("utf-8", errors="replace"))[:EXCERPT_CHARS]


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return _CONTROL.sub(" ", f"{type(error).__name__}: {text}")[:EXCERPT_CHARS]


def post(
    *,
    url: str,
    body: bytes,
    headers: dict[str, str],
    connect_timeout: float,
    timeout: float,
    max_bytes: int,
) -> Response:
    """POSTs `body`; never raises for anything the network or the receiver does."""
    started = time.monotonic()

    def done(**fields) -> Response:
        return Response(duration_ms=int((time.monotonic() - started) * 1000), **fields)

    problem = url_problem(url)
    if problem:
        return done(error=f"refused: {problem}")
    parts = _split(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection | None = None
    try:
        address = resolve(host, port)
        options = {"address": address, "connect_timeout": connect_timeout, "timeout": timeout}
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(host, port, context=tls_context(), **options)
        else:
            connection = _PinnedHTTPConnection(host, port, **options)
        connection.request("POST", target, body=body, headers={**headers, "Content-Length": str(len(body))})
        answer = connection.getresponse()
        data = answer.read(max_bytes)
        error = ""
        if 300 <= answer.status < 400:
            error = f"redirect not followed (Location: {answer.getheader('Location', '')[:200]})"
        return done(status_code=answer.status, excerpt=_excerpt(data), error=_CONTROL.sub(" ", error))
    except Refused as refusal:
        return done(error=f"refused: {refusal}"[:EXCERPT_CHARS])
    except TimeoutError as error:
        return done(error=f"timeout: {error or 'no answer in time'}"[:EXCERPT_CHARS])
    except Exception as error:  # TLS, connection, a malformed answer: the receiver's failure, never ours
        if connection is not None and connection.cut:
            return done(error=f"timeout: no whole answer within {timeout:g} s of connecting")
        return done(error=_short(error))
    finally:
        if connection is not None:
            connection.close()
