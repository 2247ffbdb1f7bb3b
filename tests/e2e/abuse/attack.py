#!/usr/bin/env python3
"""Abusive HTTP clients for tests/e2e/abuse.sh (stdlib only).

  attack.py flood --port P --source ADDR --idle N --slow M --status FILE --stop FILE
      Opens N idle connections and M slowloris connections (a request line, then
      one header byte every --interval seconds) from ADDR to 127.0.0.1:P, keeps
      them until FILE --stop exists or --max-seconds pass, then closes them all.
      Writes its counts to --status as JSON after connecting and after every round.

  attack.py probe --port P --source ADDR --timeout T
      Oversized, unsupported and garbage requests, one connection each; prints
      "ok: ..." or "FAIL: ..." per check and exits 1 if any check failed. T is
      nodex's --web.connection-timeout in seconds.

Every wait is bounded; every socket is closed on the way out.
"""

import argparse
import errno
import json
import os
import re
import socket
import sys
import time

# What nodex (libmicrohttpd) may answer a request too big for its memory.
TOO_BIG = {"400", "414", "431"}


def connect(port, source, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
    except OSError:
        s.close()
        raise
    # Blocking from here on: the non-blocking peeks and sends below use
    # MSG_DONTWAIT, which a socket with a timeout would first poll for.
    s.settimeout(None)
    return s


def is_closed(s):
    """True if the peer closed or reset the connection (non-blocking peek)."""
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


def write_status(path, status):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(status, f)
    os.replace(tmp, path)


def flood(args):
    deadline = time.monotonic() + args.max_seconds
    connect_deadline = time.monotonic() + args.connect_seconds
    idle, slow = [], []
    failed = 0
    first_error = ""
    try:
        for i in range(args.idle + args.slow):
            if time.monotonic() > connect_deadline:
                failed += args.idle + args.slow - i
                first_error = first_error or "connect phase ran out of time"
                break
            try:
                s = connect(args.port, args.source)
            except OSError as e:
                failed += 1
                first_error = first_error or str(e)
                continue
            if i < args.idle:
                idle.append(s)
            else:
                try:
                    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: nodex\r\n")
                except OSError:
                    pass  # Counted as closed below.
                slow.append(s)

        def counts():
            return {
                "opened": len(idle) + len(slow),
                "connect_failed": failed,
                "first_error": first_error,
                "alive_idle": sum(not is_closed(s) for s in idle),
                "alive_slow": sum(not is_closed(s) for s in slow),
            }

        write_status(args.status, dict(counts(), state="ready"))
        header_byte = 0
        while time.monotonic() < deadline and not os.path.exists(args.stop):
            # One byte of an endless header line per connection and round.
            byte = b"X-abcdefghij"[header_byte % 12 : header_byte % 12 + 1]
            header_byte += 1
            for s in slow:
                try:
                    s.send(byte, socket.MSG_DONTWAIT)
                except OSError:
                    pass
            write_status(args.status, dict(counts(), state="ready"))
            wake = time.monotonic() + args.interval
            while time.monotonic() < min(wake, deadline) and not os.path.exists(args.stop):
                time.sleep(0.1)
        write_status(args.status, dict(counts(), state="done"))
    finally:
        for s in idle + slow:
            s.close()
    return 0


class Probe:
    def __init__(self, port, source, timeout):
        self.port = port
        self.source = source
        self.timeout = timeout
        self.failures = 0

    def ok(self, msg):
        print("ok: " + msg, flush=True)

    def fail(self, msg):
        print("FAIL: " + msg, flush=True)
        self.failures += 1

    def exchange(self, data, wait):
        """Sends data, reads until the server closes or `wait` seconds pass.

        Returns (bytes received, closed by the server?, seconds until closed)."""
        start = time.monotonic()
        s = connect(self.port, self.source)
        got = b""
        closed = False
        try:
            try:
                if data:
                    s.settimeout(wait)
                    s.sendall(data)
            except OSError:
                pass  # The server may close before reading everything.
            end = start + wait
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    break
                s.settimeout(left)
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except OSError as e:
                    closed = e.errno in (errno.ECONNRESET, errno.EPIPE)
                    break
                if not chunk:
                    closed = True
                    break
                got += chunk
        finally:
            s.close()
        return got, closed, time.monotonic() - start

    @staticmethod
    def status_of(reply):
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", reply)
        return m.group(1).decode() if m else None

    @staticmethod
    def header(reply, name):
        head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        for line in head.split("\r\n")[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == name.lower():
                return v.strip()
        return None

    def still_serves(self, after):
        reply, _, _ = self.exchange(b"GET /-/healthy HTTP/1.1\r\nHost: nodex\r\nConnection: close\r\n\r\n", 10)
        if self.status_of(reply) != "200":
            self.fail("after %s, GET /-/healthy got %r" % (after, reply[:80]))

    def expect_status(self, name, data, wanted):
        """The client reads back a status in `wanted`, then the connection closes."""
        reply, closed, _ = self.exchange(data, 10)
        status = self.status_of(reply)
        if status in wanted and closed:
            self.ok("%s -> %s, then closed" % (name, status))
        else:
            self.fail("%s: want status %s and a close, got closed=%s %r" % (name, "/".join(sorted(wanted)), closed,
                                                                              reply[:120]))
        self.still_serves(name)

    def expect_closed(self, name, data, within):
        """The server closes the connection within `within` s; a 4xx or 505 first is fine."""
        reply, closed, secs = self.exchange(data, within)
        status = self.status_of(reply)
        if closed and (reply == b"" or (status or "").startswith("4") or status == "505"):
            self.ok("%s -> closed after %.1f s%s" % (name, secs, ", %s first" % status if status else ""))
        else:
            self.fail("%s: want the connection closed within %d s (a 4xx or 505 first is fine), got closed=%s %r" %
                      (name, within, closed, reply[:120]))
        self.still_serves(name)

    def run(self):
        host = b"Host: nodex\r\n"
        # --- oversized request line and headers -------------------------------------
        self.expect_status("request line of 64 KiB",
                           b"GET /metrics?" + b"a" * 65536 + b" HTTP/1.1\r\n" + host + b"\r\n", TOO_BIG)
        self.expect_status("request line of 1 MiB without end",
                           b"GET /" + b"a" * (1 << 20), TOO_BIG)
        self.expect_status("one header of 64 KiB",
                           b"GET /metrics HTTP/1.1\r\n" + host + b"X-Big: " + b"b" * 65536 + b"\r\n\r\n", TOO_BIG)
        self.expect_status("5000 small headers",
                           b"GET /metrics HTTP/1.1\r\n" + host +
                           b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n", TOO_BIG)

        # --- unsupported methods: 405 with Allow on every path -----------------------
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "BREW", "get"]:
            for path in ["/metrics", "/", "/-/healthy", "/nope", "/debug/pprof/"]:
                target = "nodex:443" if method == "CONNECT" and path == "/nope" else path
                req = ("%s %s HTTP/1.1\r\nHost: nodex\r\nConnection: close\r\n\r\n" % (method, target)).encode()
                reply, _, _ = self.exchange(req, 10)
                status, allow = self.status_of(reply), self.header(reply, "Allow")
                if status == "405" and allow == "GET, HEAD":
                    continue
                self.fail("%s %s: want 405 with 'Allow: GET, HEAD', got %s Allow=%r" % (method, target, status, allow))
        self.ok("10 unsupported methods x 5 paths -> 405, Allow: GET, HEAD")
        self.expect_status("POST with a body", b"POST /metrics HTTP/1.1\r\n" + host +
                           b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=b&c=d", {"405"})

        # --- garbage ------------------------------------------------------------------
        # Announced bodies that never come: answered at once, then closed, long before
        # the connection timeout.
        self.expect_status("POST announcing 1 TB of body, sending none",
                           b"POST /metrics HTTP/1.1\r\n" + host + b"Content-Length: 1000000000000\r\n\r\n", {"405"})
        self.expect_status("GET announcing 1 TB of body, sending none",
                           b"GET /metrics HTTP/1.1\r\n" + host + b"Content-Length: 1000000000000\r\n\r\n", {"200"})
        self.expect_status("chunked POST that never ends",
                           b"POST / HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\nffffffff\r\n", {"405"})
        within = self.timeout + 10
        rnd = bytes((i * 197 + 89) % 256 for i in range(8192))  # Deterministic "random" bytes.
        self.expect_closed("8 KiB of binary garbage", rnd, within)
        self.expect_closed("4 KiB of garbage without a line end", bytes(b % 240 + 14 for b in rnd[:4096]), within)
        self.expect_closed("a TLS ClientHello", tls_client_hello(), within)
        self.expect_closed("a request line without HTTP version", b"GET /metrics\r\n\r\n", within)
        self.expect_closed("an unknown HTTP version", b"GET /metrics HTTP/7.3\r\n" + host + b"\r\n", within)
        self.expect_closed("NUL bytes and CRLFs", b"\0\0\0\r\n\0\r\n\r\n" * 100, within)
        self.expect_closed("a connection that sends nothing", b"", within)
        return 1 if self.failures else 0


def tls_client_hello():
    """A TLS 1.2 ClientHello record, as a TLS client would open with."""
    ciphers = bytes.fromhex("c02fc030c02bc02c009c009d")
    sni_name = b"nodex.example"
    sni = (b"\x00\x00" + (len(sni_name) + 5).to_bytes(2, "big") + (len(sni_name) + 3).to_bytes(2, "big") + b"\x00" +
           len(sni_name).to_bytes(2, "big") + sni_name)
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + len(ciphers).to_bytes(2, "big") + ciphers + b"\x01\x00" +
            len(sni).to_bytes(2, "big") + sni)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + len(handshake).to_bytes(2, "big") + handshake


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("flood")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--source", required=True)
    f.add_argument("--idle", type=int, default=1000)
    f.add_argument("--slow", type=int, default=1000)
    f.add_argument("--interval", type=float, default=3.0)
    f.add_argument("--status", required=True)
    f.add_argument("--stop", required=True)
    f.add_argument("--connect-seconds", type=float, default=30.0)
    f.add_argument("--max-seconds", type=float, default=100.0)
    pr = sub.add_parser("probe")
    pr.add_argument("--port", type=int, required=True)
    pr.add_argument("--source", required=True)
    pr.add_argument("--timeout", type=int, required=True)
    args = p.parse_args()
    if args.cmd == "flood":
        return flood(args)
    return Probe(args.port, args.source, args.timeout).run()


if __name__ == "__main__":
    sys.exit(main())
