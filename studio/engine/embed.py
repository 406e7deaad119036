"""Copy functions of this package, with everything they use, into a standalone script.

`embed(objects)` returns the imports and the source of each object plus, transitively, the module-level
functions, classes and constants of this package they name, in an order where each is defined before a
module-level statement uses it. Names imported from other packages come back as the import statement the
defining module itself wrote. The exported script thereby runs the very code the engine runs.

Code meant to be embedded imports names, not studio modules (`from studio.data.errors import DataError`,
never `from studio.data import errors`), and keeps function-local imports to other packages.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

PACKAGE = "studio"


class EmbedError(RuntimeError):
    """Code of this package that cannot be copied into a script (a programming error, caught by the tests)."""


@dataclass
class _Module:
    name: str
    source: str
    definitions: dict[str, ast.stmt] = field(default_factory=dict)  # name → def / class / assignment
    imports: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # bound name → (module, name, level)


@cache
def _module(name: str) -> _Module:
    mod: ModuleType = sys.modules.get(name) or __import__(name, fromlist=["_"])
    source = inspect.getsource(mod)
    out = _Module(name, source)
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.definitions[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.definitions[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.definitions[node.target.id] = node
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out.imports[alias.asname or alias.name.split(".")[0]] = (alias.name, "", 0)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                out.imports[alias.asname or alias.name] = (node.module or "", alias.name, node.level)
    return out


class _Names(ast.NodeVisitor):
    """Free names a definition reads: not its own locals (anything it assigns, its arguments, local imports and
    defs) and not annotations (the script has `from __future__ import annotations`)."""

    def __init__(self):
        self.loaded: list[str] = []
        self.stored: set[str] = set()

    @property
    def found(self) -> list[str]:
        return [n for n in self.loaded if n not in self.stored]

    def visit_Name(self, node: ast.Name):
        if isinstance(node.ctx, ast.Load):
            if node.id not in self.loaded:
                self.loaded.append(node.id)
        else:
            self.stored.add(node.id)

    def visit_arg(self, node: ast.arg):
        self.stored.add(node.arg)  # its annotation is not visited

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef):
        self.stored.add(node.name)
        for expr in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if expr is not None:
                self.visit(expr)
        self.visit(node.args)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 - ast.NodeVisitor dispatches on this exact name

    def visit_ClassDef(self, node: ast.ClassDef):
        self.stored.add(node.name)
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        for stmt in node.body:
            self.visit(stmt)

    def visit_AnnAssign(self, node: ast.AnnAssign):
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def visit_Import(self, node):
        for alias in node.names:
            self.stored.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import  # noqa: N815 - ast.NodeVisitor dispatches on this exact name

    def visit_ExceptHandler(self, node: ast.ExceptHandler):
        if node.name:
            self.stored.add(node.name)
        self.generic_visit(node)


def _segment(mod: _Module, node: ast.stmt) -> str:
    lines = mod.source.splitlines()
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "\n".join(lines[first - 1:node.end_lineno])


@dataclass
class Embedded:
    imports: list[str]
    definitions: list[str]  # source blocks, dependencies first
    origins: list[str]  # "module.name" of each block, for the script's comments

    def text(self) -> str:
        return "\n\n\n".join(self.definitions)


class _Collector:
    def __init__(self):
        self.imports: list[str] = []
        self.blocks: list[str] = []
        self.origins: list[str] = []
        self.bound: dict[str, str] = {}  # script name → what it is, to refuse two different things of one name
        self.done: set[tuple[str, str]] = set()

    def _bind(self, name: str, what: str) -> bool:
        """True when `name` is new; False when it is already bound to the same thing."""
        if name in self.bound:
            if self.bound[name] != what:
                raise EmbedError(f"two different things are both called `{name}` in the script: {self.bound[name]} "
                                 f"and {what}; rename one of them")
            return False
        self.bound[name] = what
        return True

    def add(self, module: str, name: str, alias: str | None = None) -> None:
        alias = alias or name
        mod = _module(module)
        if name in mod.imports:
            self._imported(mod, name, alias)
            return
        if name not in mod.definitions:
            if hasattr(builtins, name):
                return
            raise EmbedError(f"{module} uses `{name}`, which it neither defines nor imports")
        if (module, name) in self.done:
            if alias != name and self._bind(alias, f"{module}.{name}"):
                self.blocks.append(f"{alias} = {name}")
                self.origins.append(f"{module}.{name}")
            return
        self.done.add((module, name))
        node = mod.definitions[name]
        visitor = _Names()
        visitor.visit(node)
        for used in visitor.found:
            if used != name:
                self.add(module, used)
        if isinstance(node, ast.Assign):
            for target in node.targets:  # an assignment may define several names at once
                if isinstance(target, ast.Name):
                    self._bind(target.id, f"{module}.{target.id}")
        else:
            self._bind(name, f"{module}.{name}")
        self.blocks.append(_segment(mod, node))
        self.origins.append(f"{module}.{name}")
        if alias != name and self._bind(alias, f"{module}.{name}"):
            self.blocks.append(f"{alias} = {name}")
            self.origins.append(f"{module}.{name}")

    def _imported(self, mod: _Module, name: str, alias: str) -> None:
        source, original, level = mod.imports[name]
        if level:
            raise EmbedError(f"{mod.name} imports `{name}` relatively; import it by its full module name")
        if source.split(".")[0] == PACKAGE:
            if not original or isinstance(getattr(__import__(source, fromlist=["_"]), original, None), ModuleType):
                raise EmbedError(f"{mod.name} uses the module `{name}` of this package; import the names it needs "
                                 "from it instead, so they can be copied into a script")
            self.add(source, original, alias)
            return
        if original:
            line = f"from {source} import {original}" + (f" as {alias}" if alias != original else "")
        else:
            line = f"import {source}" + (f" as {alias}" if alias != source.split(".")[0] else "")
        if self._bind(alias, line):
            self.imports.append(line)


def embed(objects) -> Embedded:
    """The source of `objects` (functions and classes of this package) and of all they use."""
    c = _Collector()
    for obj in objects:
        module = obj.__module__
        if module.split(".")[0] != PACKAGE:
            raise EmbedError(f"{obj!r} is not code of this package")
        c.add(module, obj.__name__)
    return Embedded(c.imports, c.blocks, c.origins)
