"""The lab client's connections: what every probe's requests ride on."""

from __future__ import annotations

import socket

from ingresslib.lab import client


def test_connections_send_without_waiting_for_the_peers_ack() -> None:
    """http.client writes a request in more than one segment; with Nagle's algorithm the last
    waits for the peer's delayed ACK (40 ms on Linux), which made every probed request cost
    48 ms (the 200-request weighted split took 9.6 s instead of 1 s)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        sock = client.connect(client.Target("127.0.0.1", port), None, timeout=5)
        with sock:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
