"""A fault-injecting HTTP proxy for the registry tests: it sits on 127.0.0.1 between
hull and a real docker-registry, forwards requests, records them, and misbehaves on
demand (breaks blob bodies mid-way, flips bytes, answers with HTML error pages,
redirect loops, huge manifests, stalls, and a Bearer token front with its token
endpoint on another loopback address). Standard library only."""
import base64
import hashlib
import http.client
import http.server
import json
import socket
import threading
import time
import urllib.parse

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}


class Proxy:
    """Forwards to upstream (host:port). Set .fault to a callable(handler) returning
    True when it answered the request itself; .log lists (method, path, headers)."""

    def __init__(self, upstream, bind="127.0.0.1"):
        self.upstream = upstream
        self.fault = None
        self.body_fault = None  # callable(handler, status, headers, path) -> None or filter
        self.log = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle_one(self):
                with proxy.lock:
                    proxy.log.append((self.command, self.path, dict(self.headers)))
                if proxy.fault and proxy.fault(self):
                    return
                proxy.forward(self)

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_one

        self.server = http.server.ThreadingHTTPServer((bind, 0), Handler)
        self.server.daemon_threads = True
        self.host = "%s:%d" % (bind, self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def ref(self, name):
        return "%s/%s" % (self.host, name)

    def requests(self, method=None):
        with self.lock:
            return [r for r in self.log if method is None or r[0] == method]

    def forward(self, h, path=None, extra=None):
        """Sends h's request upstream; returns (status, headers, body) after writing
        them back unless body_fault takes over."""
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else None
        up = http.client.HTTPConnection(self.upstream, timeout=60)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP}
        headers.update(extra or {})
        headers = {k: v for k, v in headers.items() if v is not None}
        up.request(h.command, path or h.path, body=body, headers=headers)
        r = up.getresponse()
        data = r.read()
        up.close()
        out = [(k, v) for k, v in r.getheaders()
               if k.lower() not in HOP and k.lower() != "content-length"]
        filt = self.body_fault(h, r.status, out, path or h.path) if self.body_fault else None
        if filt:
            filt(data)
            return
        h.send_response(r.status)
        for k, v in out:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)


def is_blob_get(h, digest=None):
    return (h.command == "GET" and "/blobs/sha256:" in h.path
            and (digest is None or h.path.endswith(digest)))


def send_raw(h, status, body, ctype="text/html", extra=()):
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in extra:
        h.send_header(k, v)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def break_after(h, status, headers, data, cut):
    """Sends headers promising all of data, then only data[:cut], then resets."""
    h.send_response(status)
    for k, v in headers:
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data[:cut])
    h.wfile.flush()
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    h.connection.close()
    h.close_connection = True


class TokenServer:
    """A Bearer token endpoint (on its own address) that records what it was sent and
    hands out tokens: anonymously, for Basic user:password, or for an OAuth2
    refresh_token POST."""

    def __init__(self, bind, user=None, password=None, refresh=None):
        self.calls = []
        self.tokens = set()
        ts = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def grant(self, who):
                tok = hashlib.sha256(("%s%f" % (who, time.time())).encode()).hexdigest()
                ts.tokens.add(tok)
                send_raw(self, 200, json.dumps({"token": tok, "access_token": tok}).encode(),
                         "application/json")

            def do_GET(self):
                ts.calls.append(("GET", self.path, dict(self.headers), b""))
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
                    if (u, p) != (user, password):
                        return send_raw(self, 401, b"no")
                    return self.grant(u)
                if user is not None and refresh is None:
                    return send_raw(self, 401, b"credentials needed")
                return self.grant("anonymous")

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                ts.calls.append(("POST", self.path, dict(self.headers), body))
                form = urllib.parse.parse_qs(body.decode())
                if (form.get("grant_type") != ["refresh_token"]
                        or form.get("refresh_token") != [refresh]):
                    return send_raw(self, 401, b"bad refresh token")
                return self.grant("refresh")

        self.server = http.server.ThreadingHTTPServer((bind, 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://%s:%d/token" % (bind, self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def bearer_front(proxy, token_server, service="hull-test"):
    """Makes proxy demand a Bearer token from token_server for every /v2/ request."""
    def fault(h):
        auth = h.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:] in token_server.tokens:
            proxy.forward(h, extra={"Authorization": None})
            return True
        chal = 'Bearer realm="%s",service="%s"' % (token_server.url, service)
        send_raw(h, 401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token"}]}',
                 "application/json", [("WWW-Authenticate", chal)])
        return True
    return fault
