"""Every third-party package the app imports is declared in pyproject.toml (as a dependency or in an extra), so a
fresh install never meets an ImportError that only this development environment hid."""

import ast
import importlib.metadata
import re
import sys
import tomllib

from tests.packaging.envs import CHECKOUT

# Imported inside a try whose except falls back to something declared; never required.
OPTIONAL = {"ai_edge_litert": "the maintained TFLite runtime, used instead of tf.lite when it is installed"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_level_names() -> dict[str, str]:
    """Each absolutely imported top-level name in studio/, with one file that imports it."""
    found: dict[str, str] = {}
    for path in sorted((CHECKOUT / "studio").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path.relative_to(CHECKOUT).as_posix())
    return found


def _declared_distributions() -> set[str]:
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return {_canonical(re.match(r"[A-Za-z0-9_.-]+", r).group()) for r in requirements}


def test_every_third_party_import_of_the_app_is_declared():
    owners = importlib.metadata.packages_distributions()
    declared = _declared_distributions()
    third_party = {name: where for name, where in _imported_top_level_names().items()
                   if name not in sys.stdlib_module_names and name not in ("studio", "__future__")
                   and name not in OPTIONAL}
    undeclared = {name: where for name, where in third_party.items()
                  if not {_canonical(d) for d in owners.get(name, [name])} & declared}
    assert not undeclared, (f"imported but not in pyproject.toml's dependencies or extras: {undeclared}; "
                            "add each one's distribution there")
