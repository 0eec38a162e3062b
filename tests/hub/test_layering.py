"""The apps are layered hub ← profiles ← calls ← projects: a module imports only from its own app and the apps to
its left (function-local imports included); a lower layer asks the higher ones through the hooks of hub/hooks.py."""

import ast
import re
from pathlib import Path

import wagtail

from hub.hooks import HOOKS

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("hub", "profiles", "calls", "projects")
# The project's composition root (DESIGN.md: hub is also "the Django project") wires every app together.
COMPOSITION_ROOT = ("hub/urls.py", "hub/wsgi.py", "hub/asgi.py", "hub/settings/")


def _modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if not str(path.relative_to(ROOT)).startswith(COMPOSITION_ROOT):
                yield app, path


def _imported_apps(tree: ast.AST):
    """(line, top-level package) of every absolute import anywhere in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def test_no_app_imports_an_app_to_its_right():
    wrong = []
    for app, path in _modules():
        rank = LAYERS.index(app)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in _imported_apps(tree):
            if imported in LAYERS and LAYERS.index(imported) > rank:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not wrong, "A lower layer imports a higher one (answer a hook instead, hub/hooks.py):\n" + "\n".join(wrong)


def test_the_check_sees_function_local_imports():
    tree = ast.parse("def f():\n    from projects.models import Partnership\n")
    assert list(_imported_apps(tree)) == [(2, "projects")]


GET_HOOKS = re.compile(r"""get_hooks\(\s*["']([a-z_]+)["']""")
REGISTER = re.compile(r"""hooks\.register\(\s*["']([a-z_]+)["']""")


def _hook_names(pattern: re.Pattern, paths) -> set[str]:
    return {name for path in paths for name in pattern.findall(path.read_text(encoding="utf-8"))}


def test_every_hook_the_apps_ask_is_documented_and_answered():
    wagtails = _hook_names(GET_HOOKS, Path(wagtail.__file__).parent.rglob("*.py"))
    ours = [path for _app, path in _modules()]
    asked = _hook_names(GET_HOOKS, ours) - wagtails
    answered = _hook_names(REGISTER, ours)
    assert asked == set(HOOKS), "hub/hooks.py documents exactly the hooks the apps call"
    # search_types is answered through hub.search.registry.register; every other hook by a hooks.register line.
    assert set(HOOKS) - {"search_types"} <= answered
