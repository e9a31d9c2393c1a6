"""Run the CLI with a loopback-only socket layer: every non-loopback lookup or connection is logged and refused.

`python -m tests.netguard LOGFILE crawl ...` patches the socket module before Twisted (which binds
`socket.getaddrinfo` at import) or anything else is imported, then runs `crawler.cli`. Each attempt
to resolve a name other than localhost, or to connect to an address outside 127.0.0.0/8 and ::1,
is appended to LOGFILE and fails at once (so a forbidden request shows as a log line, not a hang).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

_LOG = ""
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_host(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host or "")
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str) -> None:
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(what + "\n")


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _loopback_host(host):
        _refuse(f"resolve {host}")
        raise socket.gaierror(socket.EAI_NONAME, f"netguard: no lookups outside loopback ({host})")
    return _real_getaddrinfo(host, *args, **kwargs)


def _address_ok(sock: socket.socket, address: Any) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True  # unix sockets, socketpairs: local by nature
    return _loopback_host(address[0] if isinstance(address, tuple) else address)


def connect(self: socket.socket, address: Any) -> None:
    if not _address_ok(self, address):
        _refuse(f"connect {address}")
        raise ConnectionRefusedError(f"netguard: no connections outside loopback ({address})")
    _real_connect(self, address)


def connect_ex(self: socket.socket, address: Any) -> int:
    if not _address_ok(self, address):
        _refuse(f"connect {address}")
        return 111  # ECONNREFUSED
    return _real_connect_ex(self, address)


def install(log: str) -> None:
    global _LOG
    _LOG = log
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


if __name__ == "__main__":
    install(sys.argv[1])
    from crawler.cli import main

    sys.exit(main(sys.argv[2:]))
