"""Start and stop the production topology of README "Running on more than one machine", on one host, from the
repository's own files: nginx (deploy/nginx, TLS with a throw-away self-signed certificate) in front of two app
nodes (gunicorn with hub.settings.production and gunicorn.conf.py), two task workers and the scheduler, all sharing
one PostgreSQL database (DATABASE_URL), one redis-server of its own (deploy/redis/bridges.conf; with
TOPOLOGY_REDIS=shared or without redis-server, a database number of its own on REDIS_URL's server) and one
MEDIA_ROOT / PRIVATE_MEDIA_ROOT. CI and the drills of tests/drills/topology use it.

    deploy/topology start --state DIR [--demo]   # prints the base URL, e.g. https://127.0.0.1:40123/
    deploy/topology stop --state DIR
    deploy/topology status --state DIR
    deploy/topology start-node --state DIR 2     # (re)start app node 1 or 2 (after a drill killed it)
    deploy/topology stop-redis --state DIR       # stop its own redis-server (a drill), then start-redis

``DIR`` must not exist yet (start creates it; stop removes it unless --keep). It holds every log, pid file, the
rendered nginx configuration, the certificate, the uploads, and ``topology.env`` (shell syntax: TOPOLOGY_URL,
NODE_URLS, the processes' environment …) and ``topology.json``. Nothing is downloaded.
"""

import argparse
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
NODES = (1, 2)
WORKERS = (1, 2)
REDIS_OWNER_KEY = "bridges:topology:owner"
REDIS_CONF = DEPLOY / "redis" / "bridges.conf"
HOSTS = "127.0.0.1,localhost,bridges.example"


def log(message: str) -> None:
    print(f"topology: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_nginx() -> str:
    for candidate in (os.environ.get("NGINX"), shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("nginx is not installed (Debian: apt-get install nginx).")


def claim_redis_db(server_url: str, owner: str) -> str:
    """A Redis database of this run's own on REDIS_URL's server: an empty one among 1–9, claimed with SET NX."""
    import redis

    base = urlsplit(server_url)
    wanted = os.environ.get("TOPOLOGY_REDIS_DB")
    for number in [int(wanted)] if wanted else range(1, 10):
        url = urlunsplit(base._replace(path=f"/{number}"))
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        if not wanted and client.dbsize() > 0:
            continue
        if client.set(REDIS_OWNER_KEY, owner, nx=True, ex=7 * 24 * 3600) or wanted:
            return url
    raise SystemExit("No free Redis database among 1–9 (set TOPOLOGY_REDIS_DB to choose one).")


def certificate(state: Path) -> tuple[Path, Path]:
    cert, key = state / "tls" / "cert.pem", state / "tls" / "key.pem"
    cert.parent.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:bridges.example",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def render(template: str, out: Path, values: dict[str, str], env: dict[str, str]) -> None:
    args = [f"{name}={value}" for name, value in values.items()]
    rendered = subprocess.run(
        [PYTHON, str(DEPLOY / "render_nginx.py"), "--template", str(DEPLOY / "nginx" / template), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if rendered.returncode:
        raise SystemExit(f"deploy/render_nginx.py could not render {template}:\n{rendered.stderr}")
    out.write_text(rendered.stdout)


class Topology:
    def __init__(self, state: Path):
        self.state = state.resolve()
        self.info_path = self.state / "topology.json"

    # --- state -------------------------------------------------------------------------------------------------------

    def load(self) -> dict:
        if not self.info_path.exists():
            raise SystemExit(f"No topology in {self.state} (topology.json is missing).")
        return json.loads(self.info_path.read_text())

    def save(self, info: dict) -> None:
        self.info_path.write_text(json.dumps(info, indent=2))
        env = {
            "TOPOLOGY_STATE": str(self.state),
            "TOPOLOGY_URL": info["url"],
            "TOPOLOGY_CA": info["certificate"],
            "NODE_URLS": " ".join(info["nodes"].values()),
            **{f"TOPOLOGY_{name}": value for name, value in info["env"].items()},
        }
        self.state.joinpath("topology.env").write_text(
            "".join(f"export {name}={_shell_quote(value)}\n" for name, value in env.items())
        )

    def pidfile(self, name: str) -> Path:
        return self.state / f"{name}.pid"

    # --- processes ---------------------------------------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> int:
        """Start ``command`` in a process group of its own (so that stop reaches its children); log to <name>.log."""
        with open(self.state / f"{name}.log", "ab") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        self.pidfile(name).write_text(str(process.pid))
        return process.pid

    def alive(self, name: str) -> bool:
        path = self.pidfile(name)
        if not path.exists():
            return False
        try:
            os.kill(int(path.read_text()), 0)
        except (ProcessLookupError, ValueError):
            return False
        # A zombie (killed, not yet reaped by its parent) is not alive.
        try:
            status = Path(f"/proc/{int(path.read_text())}/stat").read_text().split(") ", 1)[1][0]
        except (OSError, IndexError):
            return True
        return status != "Z"

    def terminate(self, name: str, *, timeout: float = 15) -> None:
        path = self.pidfile(name)
        if not path.exists():
            return
        pid = int(path.read_text())
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _group_alive(pid):
                _reap()
                time.sleep(0.1)
            if not _group_alive(pid):
                break
        path.unlink(missing_ok=True)

    def terminate_all(self, names: list[str], *, timeout: float = 15) -> None:
        """SIGTERM to every process group at once, SIGKILL to those still running ``timeout`` seconds later."""
        groups = {}
        for name in names:
            path = self.pidfile(name)
            if path.exists():
                groups[name] = int(path.read_text())
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pgid in groups.values():
                try:
                    os.killpg(pgid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and any(_group_alive(pgid) for pgid in groups.values()):
                _reap()
                time.sleep(0.1)
            if not any(_group_alive(pgid) for pgid in groups.values()):
                break
        for name in groups:
            self.pidfile(name).unlink(missing_ok=True)

    def start_node(self, info: dict, number: int) -> None:
        name = f"node-{number}"
        if self.alive(name):
            return
        self.terminate(name, timeout=2)  # its orphaned workers, if its master alone was killed
        port = urlsplit(info["nodes"][str(number)]).port
        self.spawn(
            name,
            [
                GUNICORN, "hub.wsgi:application", "--config", str(ROOT / "gunicorn.conf.py"),
                "--bind", f"127.0.0.1:{port}", "--name", f"bridges-{name}",
                "--access-logfile", str(self.state / f"{name}-access.log"),
            ],
            self.env(info),
        )  # fmt: skip
        wait_until(lambda: _node_ok(info["nodes"][str(number)]), timeout=60, what=f"app {name}")

    def env(self, info: dict) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(info["env"])
        return env

    # --- commands ----------------------------------------------------------------------------------------------------

    def start(self, *, demo: bool) -> str:
        nginx = find_nginx()
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("DATABASE_URL must name a PostgreSQL database (shared by the app nodes).")
        self.state.mkdir(parents=True)
        self.state.chmod(0o755)
        for sub in ("media", "private-media/upload-tmp", "static", "backups", "nginx-tmp"):
            (self.state / sub).mkdir(parents=True)
        https_port = int(os.environ.get("TOPOLOGY_HTTPS_PORT") or free_port())
        http_port = int(os.environ.get("TOPOLOGY_HTTP_PORT") or free_port())
        node_ports = [free_port() for _ in NODES]
        url = f"https://127.0.0.1:{https_port}/"
        # A redis-server of the topology's own (deploy/redis/bridges.conf), which the drills stop and start again;
        # without the binary, or with TOPOLOGY_REDIS=shared, a database of its own on REDIS_URL's server.
        own_redis = bool(shutil.which("redis-server")) and os.environ.get("TOPOLOGY_REDIS") != "shared"
        redis_port = free_port() if own_redis else None
        if own_redis:
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
        else:
            redis_url = claim_redis_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", str(self.state))
        cert, key = certificate(self.state)
        info = {
            "url": url,
            "redis": {"own": own_redis, "port": redis_port},
            "http_url": f"http://127.0.0.1:{http_port}/",
            "certificate": str(cert),
            "nodes": {str(n): f"http://127.0.0.1:{port}/" for n, port in zip(NODES, node_ports, strict=True)},
            "env": {
                "DJANGO_SETTINGS_MODULE": "hub.settings.production",
                # One secret for every node: a session, a CSRF token or a signed link made by one is valid on all.
                "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
                "ALLOWED_HOSTS": HOSTS,
                "SITE_BASE_URL": url.rstrip("/"),
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "STATIC_ROOT": str(self.state / "static"),
                "MEDIA_ROOT": str(self.state / "media"),
                "PRIVATE_MEDIA_ROOT": str(self.state / "private-media"),
                "FILE_UPLOAD_TEMP_DIR": str(self.state / "private-media" / "upload-tmp"),
                "BACKUP_DIR": str(self.state / "backups"),
                "TRUSTED_PROXY_COUNT": "1",
                "PRIVATE_MEDIA_ACCEL_REDIRECT": "/_private/",
                "SECURE_HSTS_SECONDS": os.environ.get("SECURE_HSTS_SECONDS", "60"),
                "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
                "GUNICORN_THREADS": os.environ.get("GUNICORN_THREADS", "4"),
                "EMAIL_URL": os.environ.get("EMAIL_URL", ""),
                "PYTHONUNBUFFERED": "1",
            },
        }
        self.save(info)
        env = self.env(info)
        try:
            if own_redis:
                self.start_redis(info)
            log(f"preparing the database and static files in {self.state}")
            _manage(["migrate", "--noinput", "-v0"], env, self.state / "prepare.log")
            _manage(["collectstatic", "--noinput", "-v0"], env, self.state / "prepare.log")
            if demo:
                _manage(["seed_demo", "--force-demo-in-production"], env, self.state / "prepare.log")
            user = pwd.getpwuid(os.getuid()).pw_name
            values = {
                "STATE_DIR": str(self.state),
                "USER_DIRECTIVE": f"user {user};" if os.getuid() == 0 else "",
                "SERVER_NAME": "127.0.0.1 localhost bridges.example",
                "HTTP_LISTEN": f"127.0.0.1:{http_port}",
                "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                "HTTPS_PORT_SUFFIX": f":{https_port}",
                "APP_SERVERS": ",".join(f"127.0.0.1:{port}" for port in node_ports),
                "TLS_CERTIFICATE": str(cert),
                "TLS_CERTIFICATE_KEY": str(key),
                "STATIC_ROOT": str(self.state / "static"),
                "MEDIA_ROOT": str(self.state / "media"),
                "PRIVATE_MEDIA_ROOT": str(self.state / "private-media"),
            }
            render("standalone.conf", self.state / "nginx.conf", values, env)
            render("bridges.conf", self.state / "bridges.conf", values, env)
            check = subprocess.run(
                [nginx, "-t", "-q", "-c", str(self.state / "nginx.conf")], capture_output=True, text=True
            )
            if check.returncode:
                raise SystemExit(f"nginx rejects the rendered configuration:\n{check.stderr}")
            for number in NODES:
                self.start_node(info, number)
            for number in WORKERS:
                self.spawn(
                    f"worker-{number}",
                    [PYTHON, "manage.py", "task_worker", "--name", f"topology-{os.getpid()}-{number}", "-v1"],
                    env,
                )
            self.spawn("scheduler", [PYTHON, "manage.py", "task_scheduler", "--interval", "5"], env)
            self.spawn("nginx", [nginx, "-c", str(self.state / "nginx.conf"), "-g", "daemon off;"], env)
            wait_until(lambda: _https_ok(url, cert), timeout=30, what="nginx")
            wait_until(lambda: self.workers_registered(redis_url) >= len(WORKERS), timeout=60, what="the task workers")
            wait_until(lambda: self.scheduler_claimed(redis_url), timeout=60, what="the scheduler")
        except BaseException:
            self.stop(keep=True)
            raise
        log(f"running: {url} (state {self.state}; stop with: deploy/topology stop --state {self.state})")
        return url

    def start_redis(self, info: dict) -> None:
        """Start (or start again, after a drill stopped it) the topology's own redis-server, from its append-only
        file in ``<state>/redis``."""
        if not info.get("redis", {}).get("own"):
            raise SystemExit("This topology uses a shared Redis (TOPOLOGY_REDIS=shared or no redis-server).")
        if self.alive("redis"):
            return
        self.terminate("redis", timeout=2)
        port = info["redis"]["port"]
        directory = self.state / "redis"
        directory.mkdir(exist_ok=True)
        binary = shutil.which("redis-server") or "redis-server"
        command = [binary, str(REDIS_CONF), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
        self.spawn("redis", command, self.env(info))
        wait_until(lambda: _redis_ok(port), timeout=30, what="redis-server")

    def stop_redis(self) -> None:
        """Stop the topology's own redis-server cleanly (SIGTERM: its append-only file is complete)."""
        self.terminate("redis", timeout=20)

    def workers_registered(self, redis_url: str) -> int:
        import redis
        from rq import Worker

        return len(Worker.all(connection=redis.Redis.from_url(redis_url)))

    def scheduler_claimed(self, redis_url: str) -> bool:
        import redis

        if not self.alive("scheduler"):
            raise SystemExit(f"the scheduler exited: see {self.state / 'scheduler.log'}")
        return bool(redis.Redis.from_url(redis_url).keys("bridges:schedule:*"))

    def status(self) -> dict[str, bool]:
        names = ["nginx", *(f"node-{n}" for n in NODES), *(f"worker-{n}" for n in WORKERS), "scheduler"]
        if self.info_path.exists() and self.load().get("redis", {}).get("own"):
            names.append("redis")
        return {name: self.alive(name) for name in names}

    def stop(self, *, keep: bool) -> None:
        info = json.loads(self.info_path.read_text()) if self.info_path.exists() else None
        self.terminate_all(["nginx", "scheduler", *(f"node-{n}" for n in NODES), *(f"worker-{n}" for n in WORKERS)])
        self.terminate("redis", timeout=20)  # last: the others no longer write to it
        if info and not info.get("redis", {}).get("own"):
            import redis

            try:
                client = redis.Redis.from_url(info["env"]["REDIS_URL"], socket_connect_timeout=2)
                if (client.get(REDIS_OWNER_KEY) or b"").decode() == str(self.state):
                    client.flushdb()
            except redis.RedisError as error:
                log(f"could not release the Redis database ({error})")
        if not keep:
            shutil.rmtree(self.state, ignore_errors=True)


def _shell_quote(value: str) -> str:
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


def _group_alive(pgid: int) -> bool:
    """Is any process of the group still running (zombies waiting for a parent that never reaps do not count)?"""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _manage(args: list[str], env: dict[str, str], logfile: Path) -> None:
    with open(logfile, "ab") as out:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed: see {logfile}")


def _node_ok(node_url: str) -> bool:
    request = urllib.request.Request(
        node_url + "robots.txt", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _redis_ok(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _https_ok(url: str, cert: Path) -> bool:
    context = ssl.create_default_context(cafile=str(cert))
    try:
        with urllib.request.urlopen(url + "robots.txt", timeout=5, context=context) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        _reap()
        time.sleep(0.3)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status", "start-node", "stop-redis", "start-redis"])
    parser.add_argument("node", nargs="?", type=int, choices=NODES, help="start-node: which node")
    parser.add_argument("--state", default=os.environ.get("TOPOLOGY_STATE"), help="the topology's directory")
    parser.add_argument("--demo", action="store_true", help="start: load the demo content (seed_demo)")
    parser.add_argument("--keep", action="store_true", help="stop: keep the directory (logs)")
    args = parser.parse_args(argv)
    if not args.state:
        parser.error("--state DIR (or TOPOLOGY_STATE) is required")
    topology = Topology(Path(args.state))
    if args.command == "start":
        if topology.state.exists():
            parser.error(f"{topology.state} exists already: start makes a fresh directory")
        print(topology.start(demo=args.demo), flush=True)
    elif args.command == "stop":
        topology.stop(keep=args.keep)
    elif args.command == "status":
        states = topology.status()
        for name, up in states.items():
            print(f"{name:<10} {'running' if up else 'stopped'}")
        sys.exit(0 if all(states.values()) else 1)
    elif args.command == "start-node":
        if args.node is None:
            parser.error("start-node needs the node's number (1 or 2)")
        topology.start_node(topology.load(), args.node)
    elif args.command == "stop-redis":
        topology.stop_redis()
    elif args.command == "start-redis":
        topology.start_redis(topology.load())


if __name__ == "__main__":
    main()
