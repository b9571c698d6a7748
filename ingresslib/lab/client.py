"""The lab's client: HTTP/1.1 (http.client) with or without TLS (SNI and version pinned by the
probe), HTTP/2 and gRPC (the `h2` library), WebSocket (RFC 6455 handshake by hand), each
bound to a chosen 127.x source address so the client address is part of the probe.

Every call returns a `Response`; a connection error is a Response with `status` 0 and
`error` set, never an exception (a refused connection is an observation, not a crash).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import ssl
import struct
import time
from dataclasses import dataclass, field
from typing import Any

TLS_VERSIONS = {"TLSV1_2": ssl.TLSVersion.TLSv1_2, "TLSV1_3": ssl.TLSVersion.TLSv1_3,
                "TLSV1_1": ssl.TLSVersion.TLSv1_1}


@dataclass
class Target:
    """Where a request goes: the front's address and port, TLS or not."""

    ip: str
    port: int
    tls: bool = False
    sni: str | None = None
    min_version: str | None = None
    max_version: str | None = None
    alpn: list[str] | None = None


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    elapsed: float = 0.0
    error: str | None = None
    tls: dict[str, Any] | None = None  # {"version", "alpn", "certNames"}
    trailers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name.lower()]
        return ", ".join(values) if values else None

    def echo(self) -> dict[str, Any] | None:
        """The backend stand-in's JSON echo, when a backend answered."""
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) and "pod" in data else None

    def summary(self) -> str:
        if self.status == 0:
            return f"no response ({self.error})"
        echo = self.echo()
        who = f" from {echo['pod']}" if echo else ""
        return f"{self.status}{who}"


def _context(t: Target) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if t.min_version:
        ctx.minimum_version = TLS_VERSIONS[t.min_version]
    if t.max_version:
        ctx.maximum_version = TLS_VERSIONS[t.max_version]
    if t.alpn:
        ctx.set_alpn_protocols(t.alpn)
    return ctx


def _tcp(ip: str, port: int, source: str | None, timeout: float) -> socket.socket:
    """A TCP connection from `source`, without Nagle's algorithm: http.client writes a request
    in more than one segment, and Nagle holding the last one back until the peer's delayed
    ACK (40 ms on Linux) would add that to every request the probes time or count."""
    sock = socket.create_connection((ip, port), timeout=timeout,
                                    source_address=(source, 0) if source else None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def connect(t: Target, source: str | None, timeout: float) -> socket.socket:
    """A connected (and, for TLS targets, handshaken) socket."""
    sock = _tcp(t.ip, t.port, source, timeout)
    if not t.tls:
        return sock
    try:
        return _context(t).wrap_socket(sock, server_hostname=t.sni)
    except BaseException:
        sock.close()
        raise


def tls_info(sock: socket.socket) -> dict[str, Any] | None:
    if not isinstance(sock, ssl.SSLSocket):
        return None
    der = sock.getpeercert(binary_form=True)
    return {"version": sock.version(), "alpn": sock.selected_alpn_protocol(),
            "certNames": cert_names(der) if der else []}


def cert_names(der: bytes) -> list[str]:
    """The certificate's DNS names (SANs), or its CN when it has none."""
    from cryptography import x509  # noqa: PLC0415

    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return list(san.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        return [a.value for a in cert.subject if a.oid == x509.NameOID.COMMON_NAME]


def request(t: Target, *, method: str = "GET", path: str = "/", host: str | None = None,
            headers: dict[str, str] | None = None, body: bytes = b"",
            source: str | None = None, timeout: float = 10.0) -> Response:
    """One HTTP/1.1 request on a fresh connection; `host` is the Host header as given
    (with or without `:port`)."""
    start = time.monotonic()
    try:
        sock = connect(t, source, timeout)
    except (OSError, ssl.SSLError) as e:
        return Response(0, error=f"connect: {e}", elapsed=time.monotonic() - start)
    info = tls_info(sock)
    conn = http.client.HTTPConnection(t.ip, t.port, timeout=timeout)
    conn.sock = sock
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or t.ip)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, [(k.lower(), v) for k, v in r.getheaders()], data,
                        time.monotonic() - start, tls=info)
    except (OSError, http.client.HTTPException, ssl.SSLError) as e:
        return Response(0, error=f"{type(e).__name__}: {e}", elapsed=time.monotonic() - start,
                        tls=info)
    finally:
        conn.close()


def tls_handshake(t: Target, source: str | None = None, timeout: float = 5.0) -> Response:
    """Only the TLS handshake: status 1 when it completed (tls set), 0 with the error else."""
    start = time.monotonic()
    try:
        sock = connect(t, source, timeout)
    except (OSError, ssl.SSLError) as e:
        return Response(0, error=f"{type(e).__name__}: {e}", elapsed=time.monotonic() - start)
    with sock:
        return Response(1, tls=tls_info(sock), elapsed=time.monotonic() - start)


def grpc(t: Target, *, host: str, path: str, message: bytes = b"",
         metadata: dict[str, str] | None = None, source: str | None = None,
         timeout: float = 10.0) -> Response:
    """One unary gRPC call over HTTP/2 (h2c, or TLS with ALPN h2): status is the HTTP status,
    trailers hold grpc-status; body is the reply message (without the 5-byte prefix)."""
    import h2.config  # noqa: PLC0415 (the lab extra)
    import h2.connection  # noqa: PLC0415
    import h2.events  # noqa: PLC0415

    start = time.monotonic()
    if t.tls:
        t = Target(**{**t.__dict__, "alpn": ["h2"]})
    try:
        sock = connect(t, source, timeout)
    except (OSError, ssl.SSLError) as e:
        return Response(0, error=f"connect: {e}", elapsed=time.monotonic() - start)
    info = tls_info(sock)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sid = conn.get_next_available_stream_id()
    hdrs = [(":method", "POST"), (":scheme", "https" if t.tls else "http"),
            (":authority", host), (":path", path), ("content-type", "application/grpc"),
            ("te", "trailers"), *(metadata or {}).items()]
    conn.send_headers(sid, hdrs)
    conn.send_data(sid, b"\x00" + struct.pack(">I", len(message)) + message, end_stream=True)
    resp = Response(0, tls=info)
    data = b""
    try:
        sock.sendall(conn.data_to_send())
        done = False
        while not done:
            chunk = sock.recv(65536)
            if not chunk:
                break
            for ev in conn.receive_data(chunk):
                if isinstance(ev, h2.events.ResponseReceived):
                    for k, v in ev.headers:
                        name, value = _text(k), _text(v)
                        if name == ":status":
                            resp.status = int(value)
                        else:
                            resp.headers.append((name, value))
                            if name.startswith("grpc-"):
                                resp.trailers[name] = value
                elif isinstance(ev, h2.events.DataReceived):
                    data += ev.data
                    conn.acknowledge_received_data(ev.flow_controlled_length, sid)
                elif isinstance(ev, h2.events.TrailersReceived):
                    resp.trailers.update({_text(k): _text(v) for k, v in ev.headers})
                elif isinstance(ev, h2.events.StreamEnded | h2.events.StreamReset
                                | h2.events.ConnectionTerminated):
                    done = True
            with contextlib.suppress(OSError):
                sock.sendall(conn.data_to_send())
    except (OSError, ssl.SSLError) as e:
        resp.error = f"{type(e).__name__}: {e}"
    finally:
        sock.close()
    resp.body = data[5:] if len(data) >= 5 else data
    resp.elapsed = time.monotonic() - start
    return resp


def _text(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v


def websocket(t: Target, *, host: str, path: str, message: str = "lab",
              source: str | None = None, timeout: float = 10.0) -> Response:
    """RFC 6455: the upgrade handshake, the server's first message (the stand-in's JSON echo
    of the upgrade request), then one text frame echoed. Body: the echo; `error` says which
    step failed. status: the handshake's HTTP status (101 on success)."""
    start = time.monotonic()
    try:
        sock = connect(t, source, timeout)
    except (OSError, ssl.SSLError) as e:
        return Response(0, error=f"connect: {e}")
    key = base64.b64encode(os.urandom(16)).decode()
    req = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n")
    resp = Response(0, tls=tls_info(sock))
    try:
        sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise OSError("closed during the handshake")
            head += chunk
        head, rest = head.split(b"\r\n\r\n", 1)
        lines = head.decode(errors="replace").split("\r\n")
        resp.status = int(lines[0].split()[1])
        resp.headers = [(k.strip().lower(), v.strip()) for k, _, v in
                        (line.partition(":") for line in lines[1:])]
        if resp.status != 101:
            resp.body = rest
            return resp
        first, rest = _frame(sock, rest)
        sock.sendall(_masked(message.encode()))
        echoed, _ = _frame(sock, rest)
        resp.body = first
        resp.trailers["echoed"] = echoed.decode(errors="replace")
    except (OSError, ssl.SSLError, ValueError, IndexError) as e:
        resp.error = f"{type(e).__name__}: {e}"
    finally:
        sock.close()
        resp.elapsed = time.monotonic() - start
    return resp


def _masked(payload: bytes) -> bytes:
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                            bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _frame(sock: socket.socket, buf: bytes) -> tuple[bytes, bytes]:
    def need(k: int) -> None:
        nonlocal buf
        while len(buf) < k:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("closed mid-frame")
            buf += chunk

    need(2)
    n = buf[1] & 0x7F
    off = 2
    if n == 126:
        need(4)
        n, off = struct.unpack(">H", buf[2:4])[0], 4
    elif n == 127:
        need(10)
        n, off = struct.unpack(">Q", buf[2:10])[0], 10
    need(off + n)
    return buf[off:off + n], buf[off + n:]


def hold(t: Target, *, host: str, path: str, idle_s: float, source: str | None = None,
         timeout: float = 5.0) -> tuple[bool, float]:
    """Open a keep-alive connection, send one request, then stay idle `idle_s`: whether the
    connection was still open (a second request answered) and the seconds until it closed."""
    start = time.monotonic()
    try:
        sock = connect(t, source, timeout)
    except (OSError, ssl.SSLError):
        return False, 0.0
    with sock:
        req = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        try:
            sock.sendall(req)
            sock.recv(65536)
            sock.settimeout(idle_s)
            try:
                data = sock.recv(1)
                return False, time.monotonic() - start if not data else 0.0
            except TimeoutError:
                return True, time.monotonic() - start
        except (OSError, ssl.SSLError):
            return False, time.monotonic() - start


def burst(t: Target, *, host: str, path: str, count: int, stop_status: int,
          headers: dict[str, str] | None = None, source: str | None = None,
          timeout: float = 5.0) -> list[int]:
    """Up to `count` GETs on keep-alive connections, as fast as they go, stopping after the
    first `stop_status`: the statuses seen, in order (0: no response)."""
    statuses: list[int] = []
    conn: http.client.HTTPConnection | None = None
    while len(statuses) < count:
        if conn is None:
            try:
                sock = connect(t, source, timeout)
            except (OSError, ssl.SSLError):
                statuses.append(0)
                continue
            conn = http.client.HTTPConnection(t.ip, t.port, timeout=timeout)
            conn.sock = sock
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", host)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.endheaders()
            r = conn.getresponse()
            r.read()
            statuses.append(r.status)
            if r.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException, ssl.SSLError):
            statuses.append(0)
            conn.close()
            conn = None
        if statuses[-1] == stop_status:
            break
    if conn is not None:
        conn.close()
    return statuses


def pod_requests(ip: str, port: int, *, mtls: tuple[str, str] | None = None,
                 timeout: float = 5.0) -> list[dict[str, Any]]:
    """A backend stand-in's request log (`GET /.lab/requests`): what reached the pod, answered
    or not (mirrored requests). `mtls`: (cert, key) files for a pod that runs a sidecar."""
    t = Target(ip, port)
    sock = _tcp(ip, port, None, timeout)
    if mtls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.load_cert_chain(*mtls)
        ctx.set_alpn_protocols(["http/1.1"])
        sock = ctx.wrap_socket(sock)
    conn = http.client.HTTPConnection(t.ip, t.port, timeout=timeout)
    conn.sock = sock
    try:
        conn.request("GET", "/.lab/requests")
        data = json.loads(conn.getresponse().read() or b"[]")
    finally:
        conn.close()
    if isinstance(data, dict):
        data = data.get("requests", [])
    return list(data)
