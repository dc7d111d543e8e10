"""Servers the benchmark commands start on this machine's loopback: a free port, and waiting for one to listen."""

import socket
import subprocess
import time
import uuid

from django.core.management.base import CommandError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, watched: list[tuple[str, subprocess.Popen]] = (), seconds: float = 60) -> None:
    """Returns once something listens on the port; CommandError if a watched process exits first or time runs
    out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, process in watched:
            if process.poll() is not None:
                raise CommandError(f"{name} exited with status {process.returncode}: see its log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"nothing listened on port {port} within {seconds:.0f} s")


def multipart(fields: dict[str, str], name: str, content_type: str) -> tuple[bytes, bytes, str]:
    """An upload's multipart body around its photo: (what goes before the photo's bytes, what goes after, the
    request's content type), so a caller can stream the photo in between."""
    boundary = uuid.uuid4().hex
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head, f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
