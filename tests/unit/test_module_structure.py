"""The package's modules fit together without tricks a reader has to see through.

* No private names across modules: a name with a leading underscore belongs to the
  module that defines it. What several modules need has a public name in one module
  (public within the package; its docstring or comment says who uses it). Modules
  whose own name starts with an underscore (``_dtype``, ``_inplace``...) are the
  package's: importing them inside the package is what they are for.
* No late imports: a module imports the package's modules at its top, before any code,
  so reading the top of a file tells what it builds on. The exceptions are listed below
  with the reason: lazy imports of the optional parts (ipywidgets, torch, Pyodide), and
  one tie. A ``Tensor``'s methods call the ops, and the ops make tensors: tensor.py and
  the op modules need each other. The package imports tensor.py first (``__init__``);
  every other module imports ``Tensor`` at its top; tensor.py alone imports, at its
  end, once the class exists, the modules its methods call.
"""

import ast
from pathlib import Path

import pytest

import autograd_tutor as at

PACKAGE = Path(at.__file__).parent
ROOT = PACKAGE.parent
MODULES = sorted(PACKAGE.rglob("*.py"))

# (module, imported package module) -> why it is imported only when used
LAZY = {
    ("autograd_tutor.widgets", "autograd_tutor.widgets.explorers"): (
        "the explorers need ipywidgets and anywidget (the widgets extra)"
    ),
    ("autograd_tutor.widgets.explorers", "autograd_tutor.widgets.torch_recorders"): (
        "only for graphs of torch tensors"
    ),
    ("autograd_tutor.viz.render", "autograd_tutor.viz.wasm"): (
        "the in-browser Graphviz, only under Pyodide"
    ),
}


# the one module that imports package modules after its own code, at its end
TIE = "autograd_tutor.tensor"


def _name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


NAMES = {_name(p): p for p in MODULES}


def _target(module, path, node):
    """The absolute module name an ``import``/``from ... import`` statement reads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level == 0:
        return [node.module]
    base = module.split(".")
    if path.name != "__init__.py":
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return [".".join(base + ([node.module] if node.module else []))]


def _imports(path):
    """``(node, imported module, names, at top)`` for each import of a package module;
    ``at top`` is False for imports inside functions or after the module's first
    statement of other code."""
    module = _name(path)
    tree = ast.parse(path.read_text())
    found = []
    top = True
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            nodes = [stmt]
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the docstring
        else:
            top = False
            nodes = [
                n for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))
            ]
        for node in nodes:
            for target in _target(module, path, node):
                if target == "autograd_tutor" or target.startswith("autograd_tutor."):
                    names = [a.name for a in node.names]
                    found.append((node, target, names, top and node is stmt))
    return found


def _is_module(target, name):
    return f"{target}.{name}" in NAMES


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_private_names_imported_across_modules(path):
    bad = []
    for node, target, names, _ in _imports(path):
        if isinstance(node, ast.ImportFrom):
            for name in names:
                private = name.startswith("_") and not name.startswith("__")
                if private and not _is_module(target, name):
                    bad.append(f"line {node.lineno}: {name} from {target}")
    assert not bad, f"{_name(path)} imports private names: {bad}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_private_names_read_from_other_modules(path):
    """``module._name`` on a module of the package (``F._data``) is the same thing."""
    aliases = {}
    for node, target, _names, _ in _imports(path):
        for alias in node.names:
            full = target if isinstance(node, ast.Import) else f"{target}.{alias.name}"
            if full in NAMES:
                aliases[alias.asname or alias.name] = full
    bad = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not _is_module(aliases[node.value.id], node.attr)
        ):
            bad.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    assert not bad, f"{_name(path)} reads private names of other modules: {bad}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_late_imports(path):
    module = _name(path)
    tree = ast.parse(path.read_text())
    tail = {s.lineno for s in _tail_imports(tree)} if module == TIE else set()
    late = [
        f"line {node.lineno}: {target}"
        for node, target, names, top in _imports(path)
        if not top
        and node.lineno not in tail
        and (module, target) not in LAZY
        and not any((module, f"{target}.{n}") in LAZY for n in names)
    ]
    assert not late, f"{module} imports package modules late: {late}"


def _tail_imports(tree):
    """The imports after a module's last statement of other code."""
    tail = []
    for stmt in reversed(tree.body):
        if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
            break
        tail.append(stmt)
    return tail


def test_the_tie_is_the_end_of_tensor_py_and_the_package_imports_it_first():
    tree = ast.parse(NAMES[TIE].read_text())
    assert _tail_imports(tree), "tensor.py imports the modules its methods call last"
    first = _imports(NAMES["autograd_tutor"])[0][0]  # its first import of a module
    assert first.module == "tensor", (
        "autograd_tutor/__init__.py imports tensor.py first"
    )


def test_the_lazy_imports_listed_are_still_there():
    listed = set()
    for path in MODULES:
        module = _name(path)
        for _node, target, names, top in _imports(path):
            if not top:
                listed.add((module, target))
                listed.update((module, f"{target}.{n}") for n in names)
    assert set(LAZY) <= listed, set(LAZY) - listed


def _private_definitions(tree):
    """Module-level functions and classes with a private name (``_name``, not dunder)."""
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
            name = stmt.name
            if name.startswith("_") and not name.startswith("__"):
                yield stmt


def _names_used():
    """Every name the package reads (``name`` or ``something.name``), outside its
    own ``def``/``class`` line: what a definition needs to be alive."""
    used = set()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.alias):
                used.add(node.asname or node.name)
    return used


def test_no_dead_private_functions_or_classes():
    """Dead code costs a reader time: a private module-level function or class that
    nothing in the package calls is either a leftover or a hook that needs a
    decorator saying who calls it (``@atexit.register``)."""
    used = _names_used()
    dead = [
        f"{_name(path)}.{d.name} (line {d.lineno})"
        for path in MODULES
        for d in _private_definitions(ast.parse(path.read_text()))
        if d.name not in used and not d.decorator_list
    ]
    assert not dead, f"defined but never used: {dead}"
