"""deploy/nginx/bridges.conf, rendered by deploy/render_nginx.py: limits in step with the site's, valid for nginx."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hub.upload_handlers import refuse_above

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "deploy"))
import render_nginx  # noqa: E402

PARAMETERS = {
    "SERVER_NAME": "bridges.example",
    "APP_SERVERS": "10.0.0.11:8000,10.0.0.12:8000",
    "TLS_CERTIFICATE": "/etc/ssl/bridges.pem",
    "TLS_CERTIFICATE_KEY": "/etc/ssl/bridges.key",
    "STATIC_ROOT": "/srv/bridges/static",
    "MEDIA_ROOT": "/srv/shared/media",
    "PRIVATE_MEDIA_ROOT": "/srv/shared/private-media",
}


def rendered(**extra) -> str:
    template = (ROOT / "deploy" / "nginx" / "bridges.conf").read_text()
    assignments = [f"{k}={v}" for k, v in {**PARAMETERS, **extra}.items()]
    return render_nginx.render(template, render_nginx.values_for(template, assignments))


def test_the_largest_body_nginx_lets_through_is_the_largest_the_site_accepts(settings):
    config = rendered()
    (size,) = [line.split()[1].rstrip(";") for line in config.splitlines() if "client_max_body_size" in line]
    assert size.endswith("k")
    largest = max(refuse_above(name) for name in [None, *settings.UPLOAD_LIMITS])
    assert int(size[:-1]) * 1024 >= largest, "nginx would refuse an upload the site's form explains"
    assert int(size[:-1]) * 1024 < largest + 1024 * 1024, "nginx lets through far more than any URL accepts"


def test_every_app_node_is_an_upstream_server_and_nothing_is_left_unrendered():
    config = rendered()
    assert "server 10.0.0.11:8000 max_fails=3 fail_timeout=5s;" in config
    assert "server 10.0.0.12:8000 max_fails=3 fail_timeout=5s;" in config
    assert "${" not in config
    assert "alias /srv/shared/private-media/;" in config and "internal;" in config


def test_a_missing_parameter_is_named():
    template = (ROOT / "deploy" / "nginx" / "bridges.conf").read_text()
    with pytest.raises(SystemExit, match="TLS_CERTIFICATE"):
        render_nginx.render(template, {k: v for k, v in PARAMETERS.items() if not k.startswith("TLS")})


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(), reason="nginx not installed")
def test_nginx_accepts_the_rendered_configuration(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=bridges.example",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = rendered(
        TLS_CERTIFICATE=tmp_path / "cert.pem", TLS_CERTIFICATE_KEY=tmp_path / "key.pem", HTTP_LISTEN="127.0.0.1:8080"
    )
    (tmp_path / "bridges.conf").write_text(site.replace("listen 443", "listen 127.0.0.1:8443"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include /etc/nginx/mime.types; include {tmp_path}/bridges.conf; }}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(), reason="nginx not installed")
def test_nginx_sends_the_private_file_a_view_hands_it_and_nothing_else(settings, tmp_path):
    """hub.private_files' answer, behind the rendered configuration: nginx sends the file (a non-ASCII name too)
    with the view's Content-Type, Content-Disposition and Cache-Control; clients never reach /_private/."""
    import http.server
    import os
    import pwd
    import socket
    import threading
    import time

    from django.core.files.base import ContentFile

    import requests

    from calls.storage import get_private_storage
    from hub.private_files import private_file_response

    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    content = b"%PDF-1.4\n% only for the team\n%%EOF\n"
    name = get_private_storage().save("proposals/3/Résumé d'équipe.pdf", ContentFile(content))
    app = private_file_response(
        name, storage=get_private_storage(), filename="Résumé.pdf", content_type="application/pdf", as_attachment=True
    )

    class App(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/file" else 404)
            if self.path == "/file":
                for header, value in app.items():
                    self.send_header(header, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    def free_port():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    https = free_port()
    for sub in ("media", "static", "tmp"):
        (tmp_path / sub).mkdir()
    (tmp_path / "bridges.conf").write_text(
        rendered(
            SERVER_NAME="127.0.0.1",
            APP_SERVERS=f"127.0.0.1:{upstream.server_port}",
            TLS_CERTIFICATE=tmp_path / "cert.pem",
            TLS_CERTIFICATE_KEY=tmp_path / "key.pem",
            HTTP_LISTEN=f"127.0.0.1:{free_port()}",
            HTTPS_LISTEN=f"127.0.0.1:{https}",
            MEDIA_ROOT=tmp_path / "media",
            STATIC_ROOT=tmp_path / "static",
            PRIVATE_MEDIA_ROOT=private,
        )
    )
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user} pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; client_body_temp_path {tmp_path}/tmp/b; proxy_temp_path {tmp_path}/tmp/p;"
        f" fastcgi_temp_path {tmp_path}/tmp/f; uwsgi_temp_path {tmp_path}/tmp/u; scgi_temp_path {tmp_path}/tmp/s;"
        f" access_log off; include {tmp_path}/bridges.conf; }}\n"
    )
    nginx = subprocess.Popen(
        [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    base = f"https://127.0.0.1:{https}"
    try:
        for _ in range(50):
            try:
                response = requests.get(base + "/file", verify=str(tmp_path / "cert.pem"), timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.content == content
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"] == app["Content-Disposition"]
        assert "filename*=utf-8''R%C3%A9sum%C3%A9.pdf" in response.headers["Content-Disposition"]
        assert "no-store" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "X-Accel-Redirect" not in response.headers
        direct = requests.get(base + app["X-Accel-Redirect"], verify=str(tmp_path / "cert.pem"), timeout=5)
        assert direct.status_code == 404 and content not in direct.content
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()
