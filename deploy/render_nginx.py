"""Render deploy/nginx/bridges.conf (or standalone.conf) with this site's parameters; print it on stdout.

    .venv/bin/python deploy/render_nginx.py SERVER_NAME=bridges.example APP_SERVERS=10.0.0.11:8000,10.0.0.12:8000 …

Every ``${NAME}`` of the template must get a value (from NAME=VALUE arguments, else the environment variable
``NGINX_<NAME>``, else the default below), or the renderer stops with the list of what is missing; nginx's own
``$variables`` are left alone. ``CLIENT_MAX_BODY_SIZE`` defaults to the largest body the site accepts on any URL,
computed from the Django settings (``hub.upload_handlers.refuse_above`` over ``UPLOAD_LIMITS``), so nginx and the
app agree; the settings module is the environment's ``DJANGO_SETTINGS_MODULE`` (default: production).
"""

import argparse
import os
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
DEFAULTS = {
    "SERVER_NAME": "bridges.example",
    "HTTP_LISTEN": "80",
    "HTTPS_LISTEN": "443",
    "HTTPS_PORT_SUFFIX": "",
    "USER_DIRECTIVE": "",
}


def max_body_bytes() -> int:
    """The largest request body any URL of the site accepts (bytes), from the Django settings."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.production")
    import django

    django.setup()
    from django.conf import settings

    from hub.upload_handlers import refuse_above

    return max(refuse_above(name) for name in [None, *settings.UPLOAD_LIMITS])


def upstream_servers(value: str) -> str:
    """``host:port,host:port`` → one ``server`` line each (an entry may carry its own nginx parameters)."""
    lines = []
    for entry in (part.strip() for part in value.split(",")):
        if entry:
            params = "" if " " in entry else " max_fails=3 fail_timeout=5s"
            lines.append(f"    server {entry}{params};")
    if not lines:
        raise SystemExit("APP_SERVERS is empty: name at least one app node (host:port).")
    return "\n".join(lines)


def render(template: str, values: dict[str, str]) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise SystemExit("No value for " + ", ".join(missing) + " (NAME=VALUE or the environment's NGINX_NAME).")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def values_for(template: str, assignments: list[str]) -> dict[str, str]:
    values = dict(DEFAULTS)
    for name in PLACEHOLDER.findall(template):
        if f"NGINX_{name}" in os.environ:
            values[name] = os.environ[f"NGINX_{name}"]
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise SystemExit(f"Not NAME=VALUE: {assignment!r}")
        values[name] = value
    if "APP_SERVERS" in values:
        values["APP_SERVERS"] = upstream_servers(values["APP_SERVERS"])
    if "CLIENT_MAX_BODY_SIZE" in PLACEHOLDER.findall(template) and "CLIENT_MAX_BODY_SIZE" not in values:
        values["CLIENT_MAX_BODY_SIZE"] = f"{-(-max_body_bytes() // 1024)}k"
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", metavar="NAME=VALUE")
    parser.add_argument("--template", default=str(DEPLOY / "nginx" / "bridges.conf"))
    args = parser.parse_args(argv)
    template = Path(args.template).read_text()
    sys.stdout.write(render(template, values_for(template, args.assignments)))


if __name__ == "__main__":
    main()
