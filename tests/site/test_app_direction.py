"""The app direction the README promises: sessies → draaiboeken → kader, with gesprekstafels.lib under all.

Imports are read with `ast` from every .py file of each app, templatetags, management commands and
migrations included (a migration that imports a higher app ties the two together just the same),
and inside functions too. No app imports the project package except `gesprekstafels.lib`, and
`gesprekstafels.lib` imports no app and nothing else of the project. The project package itself
(settings, root URLs) sits on top and is not checked.

Lower floors may not name a higher one's URLs, permissions or models either, in templates or in
code, except in the exceptions listed in `KNOWN_EXCEPTIONS` (and written in the README).
"""

import ast
import re
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

BASE_DIR = Path(__file__).resolve().parents[2]

# Floors, lowest first; each may use the ones below it.
FLOORS = ["gesprekstafels.lib", "kader", "draaiboeken", "sessies"]
RANK = {unit: rank for rank, unit in enumerate(FLOORS)}
PROJECT = "gesprekstafels"
APP_LABELS = ("kader", "draaiboeken", "sessies")

# URL namespaces and the app that owns each (one urls.py per app).
NAMESPACE_APP = {
    "framework": "kader",
    "projects": "kader",
    "scripts": "draaiboeken",
    "workforms": "draaiboeken",
    "sessions": "sessies",
    # Pages reached by a link with a token (a participant's phone, a reviewer), in sessies too.
    "participate": "sessies",
    "review": "sessies",
}

# Where a lower floor names a higher one on purpose: the page where a user plans the next session.
KNOWN_EXCEPTIONS = {
    ("kader/templates/kader/project_detail.html", "sessions:create"),
    ("draaiboeken/templates/draaiboeken/script.html", "sessions:create"),
}

URL_TAG = re.compile(r"""\{%\s*url\s+["']([\w-]+):([\w-]+)["']""")
PERMS = re.compile(r"\bperms\.(\w+)\.(\w+)")
URL_NAME = re.compile(r"([\w-]+):([\w-]+)")
APP_DOTTED = re.compile(rf"({'|'.join(APP_LABELS)})\.\w+")


def unit_of(module):
    """The floor a dotted module name belongs to: an app, the lib, the project, or None (not ours)."""
    if module == "gesprekstafels.lib" or module.startswith("gesprekstafels.lib."):
        return "gesprekstafels.lib"
    top = module.split(".")[0]
    if top == PROJECT:
        return PROJECT
    return top if top in APP_LABELS else None


def module_name(path):
    parts = list(path.relative_to(BASE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source, module, is_package):
    """(line, dotted name) for every import in the source, at any depth, relative ones made absolute."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module
            for alias in node.names:
                # `from x import y` may name a submodule y; `from gesprekstafels import settings` must count.
                yield node.lineno, target if alias.name == "*" else f"{target}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def import_violations(unit, module, source, is_package=False):
    found = []
    for line, target in imported_modules(source, module, is_package):
        other = unit_of(target)
        if other is None or other == unit:
            continue
        if other == PROJECT or RANK[other] > RANK[unit]:
            found.append(f"{module}:{line} imports {target}")
    return found


def python_files(unit):
    root = BASE_DIR / unit.replace(".", "/")
    return sorted(p for p in root.rglob("*.py") if unit_of(module_name(p)) == unit)


def string_references(source):
    """(line, text) of each string constant in the source that could name a URL, permission or model."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " not in node.value:
            yield node.lineno, node.value


def upward_names(unit, text_refs):
    """The URL names ("sessions:create") and app labels ("sessies.add_session") of higher floors."""
    for where, text in text_refs:
        url = URL_NAME.fullmatch(text)
        if url and url[1] in NAMESPACE_APP and RANK[NAMESPACE_APP[url[1]]] > RANK[unit]:
            yield where, text
        dotted = APP_DOTTED.fullmatch(text)
        if dotted and RANK[dotted[1]] > RANK[unit]:
            yield where, text


def template_references(path):
    text = path.read_text(encoding="utf-8")
    for match in URL_TAG.finditer(text):
        yield match.group(1) + ":" + match.group(2)
    for match in PERMS.finditer(text):
        yield match.group(1) + "." + match.group(2)


@pytest.mark.parametrize("unit", FLOORS)
def test_it_imports_only_down_the_floors(unit):
    violations = []
    for path in python_files(unit):
        violations += import_violations(
            unit, module_name(path), path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py"
        )

    assert python_files(unit), f"no Python files found for {unit}"
    assert violations == []


@pytest.mark.parametrize(
    ("unit", "module", "source", "expected"),
    [
        (
            "kader",
            "kader.views",
            "def f():\n    from sessies import models\n",
            ["kader.views:2 imports sessies.models"],
        ),
        ("kader", "kader.views", "import draaiboeken.models\n", ["kader.views:1 imports draaiboeken.models"]),
        (
            "draaiboeken",
            "draaiboeken.views",
            "from sessies.models import Session\n",
            ["draaiboeken.views:1 imports sessies.models.Session"],
        ),
        (
            "sessies",
            "sessies.views.live",
            "from gesprekstafels import settings\n",
            ["sessies.views.live:1 imports gesprekstafels.settings"],
        ),
        ("sessies", "sessies.views.live", "from .. import timeline\nfrom ..screens import live_context\n", []),
        (
            "gesprekstafels.lib",
            "gesprekstafels.lib.pdf",
            "from .. import settings\n",
            ["gesprekstafels.lib.pdf:1 imports gesprekstafels.settings"],
        ),
        (
            "gesprekstafels.lib",
            "gesprekstafels.lib.pdf",
            "def f():\n    import_module('kader.models')\n",
            ["gesprekstafels.lib.pdf:2 imports kader.models"],
        ),
        (
            "sessies",
            "sessies.views.live",
            "from gesprekstafels.lib import pdf\nfrom . import screens\n"
            "from draaiboeken.models import Script\nfrom kader import access\n",
            [],
        ),
        (
            "gesprekstafels.lib",
            "gesprekstafels.lib.pdf",
            "from .http import htmx\nfrom django.conf import settings\n",
            [],
        ),
    ],
)
def test_it_tells_an_upward_import_from_a_downward_one(unit, module, source, expected):
    assert import_violations(unit, module, source) == expected


@pytest.mark.parametrize("unit", FLOORS[:-1])
def test_it_keeps_higher_url_names_permissions_and_models_out_of_lower_code(unit):
    found = []
    for path in python_files(unit):
        where = path.relative_to(BASE_DIR).as_posix()
        refs = ((f"{where}:{line}", text) for line, text in string_references(path.read_text(encoding="utf-8")))
        found += list(upward_names(unit, refs))

    assert found == []


def test_it_keeps_higher_url_names_and_permissions_out_of_lower_templates_but_the_known_exceptions():
    found = set()
    for unit in FLOORS[:-1]:
        root = BASE_DIR / unit.replace(".", "/")
        for path in sorted(root.glob("**/templates/**/*")):
            if path.is_file():
                where = path.relative_to(BASE_DIR).as_posix()
                found |= set(upward_names(unit, ((where, ref) for ref in template_references(path))))

    assert found - KNOWN_EXCEPTIONS == set(), "a new upward reference: move the composition up or add it to the README"
    assert KNOWN_EXCEPTIONS - found == set(), "an exception is gone: remove it here and in the README"


def test_it_knows_the_app_of_every_url_namespace():
    def namespaces(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace:
                    yield pattern.namespace
                yield from namespaces(pattern)

    assert set(namespaces(get_resolver())) - {"admin"} == set(NAMESPACE_APP)
