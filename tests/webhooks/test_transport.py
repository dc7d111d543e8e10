"""The guards on what the platform calls (SSRF): HTTPS only, no credentials in the URL, no private, loopback or
link-local address (checked when the URL is saved if it is an address, and on every send after resolving the
name), the connection pinned to the checked address while TLS still checks the certificate for the name."""

import datetime
import http.server
import ipaddress
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError

from tests.webhooks.conftest import decided, only_delivery
from webhooks import transport
from webhooks.deliveries import delivery_attempt
from webhooks.models import Endpoint

PUBLIC = "93.184.215.14"


def send(url: str) -> transport.Response:
    return transport.post(url=url, body=b"{}", headers={}, connect_timeout=1, timeout=2, max_bytes=10)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://hooks.example.com/slipcheck", False),
        ("https://hooks.example.com:8443/a?b=c", False),
        (f"https://{PUBLIC}/hook", False),
        ("http://hooks.example.com/slipcheck", True),  # plain HTTP
        ("ftp://hooks.example.com/", True),
        ("https://user:pw@hooks.example.com/", True),  # credentials
        ("https://user@hooks.example.com/", True),
        ("https://hooks.example.com@10.0.0.1/", True),
        ("https://10.0.0.1/", True),  # private
        ("https://192.168.1.10/", True),
        ("https://127.0.0.1/", True),  # loopback
        ("https://[::1]/", True),
        ("https://[::ffff:127.0.0.1]/", True),  # loopback written as IPv6
        ("https://169.254.169.254/latest/meta-data/", True),  # link-local: the cloud's metadata service
        ("https://100.64.0.1/", True),  # shared address space
        ("https://0.0.0.0/", True),
        ("https://[fe80::1]/", True),
        # IPv6 that leads to IPv4: NAT64 to a private address or the metadata service, 6to4, Teredo,
        # IPv4-compatible, site-local. Refused whatever the address inside (a NAT64 to a public one too).
        ("https://[64:ff9b::a00:5]/", True),
        ("https://[64:ff9b::a9fe:a9fe]/latest/meta-data/", True),
        ("https://[64:ff9b::808:808]/", True),
        ("https://[64:ff9b:1::a00:5]/", True),
        ("https://[2002:a00:5::1]/", True),
        ("https://[2001:0:4136:e378:8000:63bf:f5ff:fffa]/", True),
        ("https://[::10.0.0.5]/", True),
        ("https://[fec0::1]/", True),
        ("https://[2a00:1450:4010:c05::64]/", False),  # a public IPv6 address
        ("https://224.0.0.1/", True),  # multicast
        ("https://hooks.example.com:99999/", True),  # no such port
        ("https:///nohost", True),
        ("not a url", True),
    ],
)
def test_url_problem_refuses_what_the_platform_never_calls(url, refused, settings):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = False
    assert (transport.url_problem(url) is not None) is refused


def test_the_development_setting_allows_loopback_and_plain_http_only_to_loopback(settings):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = True
    assert transport.url_problem("http://127.0.0.1:8080/hook") is None
    assert transport.url_problem("http://localhost:8080/hook") is None
    assert transport.url_problem("https://10.0.0.5/hook") is None
    assert transport.url_problem("http://10.0.0.5/hook") is not None
    assert transport.url_problem("http://hooks.example.com/") is not None
    assert transport.url_problem("https://u:p@127.0.0.1/") is not None


@pytest.mark.django_db
def test_an_endpoint_with_a_refused_url_does_not_validate(campaign, settings):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = False
    with pytest.raises(ValidationError) as raised:
        Endpoint(campaign=campaign, url="http://hooks.example.com/").full_clean()
    assert "url" in raised.value.message_dict
    Endpoint(campaign=campaign, url="https://hooks.example.com/").full_clean()


def fake_dns(monkeypatch, *addresses: str):
    def getaddrinfo(host, port, *args, **kwargs):
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(transport.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "addresses",
    [
        ("10.1.2.3",),
        ("127.0.0.1",),
        ("169.254.169.254",),
        (PUBLIC, "192.168.0.7"),
        ("::1",),
        ("64:ff9b::a00:5",),
    ],
)
@pytest.mark.django_db
def test_a_name_resolving_to_a_private_address_is_refused_at_send_time(
    addresses, campaign, monkeypatch, settings
):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = False
    Endpoint.objects.create(campaign=campaign, url="https://hooks.example.com/slipcheck")
    decided(campaign)
    connected = []
    monkeypatch.setattr(transport.socket, "create_connection", lambda *a, **k: connected.append(a))
    fake_dns(monkeypatch, *addresses)
    attempt = delivery_attempt(delivery_id=only_delivery().pk)
    assert attempt.status_code is None and attempt.error.startswith("refused:")
    assert connected == []  # never connected
    assert only_delivery().status == "pending"  # retried: a name may resolve elsewhere later


def test_a_name_that_does_not_resolve_is_an_error_not_an_exception(settings):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = False
    response = send("https://no-such-host.invalid/")
    assert response.status_code is None and response.error.startswith("refused: cannot resolve")


# --- TLS: pinned to the checked address, the certificate still checked for the name ----------------------------


def certificate(tmp_path, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS receiver on 127.0.0.1 with a certificate for hooks.example.test, which the client trusts."""
    cert, key = certificate(tmp_path, "hooks.example.test")
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            hits.append((self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trusted = ssl.create_default_context(cafile=cert)
    monkeypatch.setattr(transport, "tls_context", lambda: trusted)
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def test_https_goes_to_the_checked_address_and_verifies_the_name(tls_receiver, monkeypatch, settings):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = True  # the receiver is on loopback
    port, hits = tls_receiver
    fake_dns(monkeypatch, "127.0.0.1")
    ok = send(f"https://hooks.example.test:{port}/h")
    assert ok.status_code == 204 and ok.ok
    assert hits == [(f"hooks.example.test:{port}", b"{}")]
    # The same server under a name its certificate does not carry: refused by TLS, nothing sent.
    wrong = send(f"https://other.example.test:{port}/h")
    assert wrong.status_code is None and "SSLCertVerificationError" in wrong.error
    assert len(hits) == 1


def test_the_address_is_resolved_once_and_pinned(tls_receiver, monkeypatch, settings):
    """A rebinding DNS (public for the check, private for the connection) gets no second question."""
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = True
    port, hits = tls_receiver
    answers = iter(["127.0.0.1", "10.9.9.9"])
    asked = []

    def getaddrinfo(host, p, *args, **kwargs):
        asked.append(host)
        try:  # an address (what the connection is given) needs no DNS
            address = str(ipaddress.ip_address(host))
        except ValueError:
            address = next(answers)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, p))]

    monkeypatch.setattr(transport.socket, "getaddrinfo", getaddrinfo)
    response = send(f"https://hooks.example.test:{port}/h")
    assert response.ok and len(hits) == 1
    # The name was asked once; the connection went to that answer.
    assert asked.count("hooks.example.test") == 1
    assert next(answers) == "10.9.9.9"


@pytest.mark.django_db
def test_an_endpoint_sends_only_final_statuses(campaign):
    with pytest.raises(ValidationError):
        Endpoint(campaign=campaign, url="https://hooks.example.com/", statuses=["moderation"]).full_clean()
    Endpoint(
        campaign=campaign, url="https://hooks.example.com/", statuses=["accepted", "revoked"]
    ).full_clean()
