"""Drive one URL with wrk and read back throughput, latency percentiles and status counts."""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import NamedTuple

# wrk runs one Lua state per thread; setup() keeps each thread so done() can add up their counts.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  errors = 0
  hits = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  -- 409: a stale save refused (the fixed proposal save after its first success), nothing saved; not an error
  if (status < 200 or status > 399) and status ~= 409 then
    errors = errors + 1
  end
  if headers["X-Cache"] == "HIT" then
    hits = hits + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total, errors_total, hits_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
    errors_total = errors_total + (thread:get("errors") or 0)
    hits_total = hits_total + (thread:get("hits") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "non2xx": %d, "errors": %d, "cache_hits": %d, "socket_errors": %d, '
      .. '"timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    non2xx_total, errors_total, hits_total, e.connect + e.read + e.write, e.timeout))
end
"""

# One request per page, or a rotation over many (the mixed run): ``BENCH_REQUESTS`` is filled in Lua.
WRK_REQUESTS = r"""
local counter = 0
local prepared = {}

function request()
  if #prepared == 0 then
    for _, r in ipairs(BENCH_REQUESTS) do
      table.insert(prepared, wrk.format(r[1], r[2], r[3], r[4]))
    end
    counter = math.random(#prepared)
  end
  counter = counter + 1
  return prepared[(counter % #prepared) + 1]
end
"""


def _lua_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def requests_lua(requests: list[dict]) -> str:
    """Lua table of (method, path, headers, body) for WRK_REQUESTS."""
    rows = []
    for request in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request.get("headers", {}).items())
        body = _lua_string(request["body"]) if request.get("body") else "nil"
        rows.append(f"  {{{_lua_string(request['method'])}, {_lua_string(request['path'])}, {{{headers}}}, {body}}},")
    return "BENCH_REQUESTS = {\n" + "\n".join(rows) + "\n}\n"


@dataclass
class LoadResult:
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    errors: int
    cache_hits: int
    socket_errors: int
    timeouts: int


def wrk_path() -> str | None:
    return shutil.which("wrk")


def ensure_wrk(log) -> str:
    """wrk from the Debian/Ubuntu package; installed with apt-get when running as root."""
    path = wrk_path()
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing; installing the Debian package with `apt-get install -y wrk` …")
        result = subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, text=True)
        if result.returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True)
        path = wrk_path()
        if path:
            return path
    raise SystemExit(
        "make bench needs the load generator wrk: install it with `sudo apt-get install wrk` "
        "(Debian/Ubuntu) or `brew install wrk` (macOS), then run it again."
    )


FORM = "application/x-www-form-urlencoded"


class Probe(NamedTuple):
    status: int
    queries: int | None  # X-SQL-Queries
    location: str
    cache: str  # X-Cache
    size: int  # bytes of the body as sent (no Accept-Encoding: uncompressed)


def probe(*, port: int, path: str, cookie: str | None, method: str = "GET", body: str = "") -> Probe:
    """One request without following redirects: status, SQL queries, Location, X-Cache and the body's size."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    if method == "POST":
        headers["Content-Type"] = FORM
    connection.request(method, path, body=body.encode() if body else None, headers=headers)
    response = connection.getresponse()
    size = len(response.read())
    queries = response.getheader("X-SQL-Queries")
    connection.close()
    return Probe(
        response.status,
        int(queries) if queries is not None else None,
        response.getheader("Location", ""),
        response.getheader("X-Cache", ""),
        size,
    )


def run_wrk(
    *,
    wrk: str,
    url: str,
    cookie: str | None,
    duration: int,
    connections: int,
    threads: int,
    method: str = "GET",
    body: str = "",
    requests: list[dict] | None = None,
) -> LoadResult:
    """Load one URL (GET, or POST with ``body``), or rotate over ``requests`` (dicts of method, path, headers, body)."""
    lua = WRK_SCRIPT
    if requests is None and method != "GET":
        path = "/" + url.split("/", 3)[3]
        headers = {"Content-Type": FORM, **({"Cookie": cookie} if cookie else {})}
        requests = [{"method": method, "path": path, "headers": headers, "body": body}]
        cookie = None
    if requests is not None:
        lua = requests_lua(requests) + WRK_REQUESTS + WRK_SCRIPT
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        command = [
            wrk,
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={duration}s",
            "--timeout=30s",
            f"--script={script.name}",
        ]
        if cookie:
            command += ["--header", f"Cookie: {cookie}"]
        result = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    finally:
        os.unlink(script.name)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed for {url}:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return LoadResult(
        requests=data["requests"],
        rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        non2xx=data["non2xx"],
        errors=data["errors"],
        cache_hits=data["cache_hits"],
        socket_errors=data["socket_errors"],
        timeouts=data["timeouts"],
    )
