"""The dependency rule of ARCHITECTURE.md: the allowed edges between every room, checked on every module's imports.

Imports are read with ast (no module is executed): `import`, `from … import`, relative imports, and the dynamic
`importlib.import_module("x.y")` / `__import__("x")` with a string the test can work out (a constant, or a loop over a
constant tuple). A dynamic import whose module it cannot work out is refused wherever it is. Every check follows
imports through the repository's own modules, so a forbidden room reached through an allowed one (or through tests/
or bench/, which are exempt as importers but not as stepping stones) fails as surely as a direct import.
"""

from __future__ import annotations

import ast
import functools
import os
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- the rule

# Room -> what its modules may import. An entry is a room ("data"), a module of one ("data.users", which also allows
# its submodules) or one name of a module ("metrics.measures.Prepared": only that name, by `from … import`). Only
# the third-party packages in CONTROLLED are checked here, and like rooms: "sqlalchemy.Engine" allows that type
# alone (annotations); SQL itself stays in data/. Every room listed must exist (see test_every_listed_room_exists).
ALLOWED: dict[str, frozenset[str]] = {
    room: frozenset(targets)
    for room, targets in {
        # The router: page config, the sign-in gate, the navigation built from the user's roles.
        "app.py": {"auth", "app_pages", "ui", "config", "streamlit"},
        # Thin views. Data services only for what a page reads or writes itself (the audit trail, loads and their
        # freshness, findings' ageing, feedback, targets): never the engine's models or SQLAlchemy, and from
        # metrics only the catalogue, periods and the scorecard's window (no statistic is computed in a page).
        "app_pages": {
            "ui", "charts", "results", "reports", "auth", "config", "rules", "streamlit",
            "data.audit", "data.escalation", "data.feedback", "data.feedback_summary", "data.history",
            "data.ingest", "data.queries", "data.targets",
            "metrics.catalogue", "metrics.periods", "metrics.scorecard.window",
        },
        # Streamlit pieces: results come from results/ (through ui/results_cache.py), writes through data/'s
        # services; from metrics only the catalogue, periods, the scorecard's window, the frame type and the name
        # of a prepared month column.
        "ui": {
            "results", "charts", "reports", "data", "auth", "config", "rules", "streamlit", "sqlalchemy.Engine",
            "metrics.catalogue", "metrics.periods", "metrics.scorecard.window", "metrics.measures.Prepared",
            "metrics.measures_base.month_column",
        },
        "reports": {"results", "data", "charts", "metrics", "auth.roles", "config", "sqlalchemy.Engine"},
        # Stored data -> measure results: the one room that asks data/ for frames and metrics/ for statistics.
        "results": {"data", "metrics", "config", "sqlalchemy.Engine"},
        # The only room that knows SQL. It reads the user's Scope (auth/roles.py, pure) to check access before any
        # query, and these pure parts of metrics: the catalogue's types, entitlement states (case extracts pick
        # late and missed instances), and the judging and scorecard window a snapshot stores its rows by.
        "data": {
            "config", "rules", "auth.roles", "sqlalchemy", "alembic", "psycopg",
            "metrics.catalogue", "metrics.entitlements", "metrics.measures", "metrics.scorecard",
        },
        "metrics": {"config"},
        "charts": {"config"},
        # Users, roles and the sign-in gate. Statements run in data/users.py; the engine and migrations come from
        # data/. Only gate.py and its two helpers (engine.py, language.py) touch Streamlit (see STREAMLIT_FREE).
        "auth": {
            "data.engine", "data.migrate", "data.users", "config", "rules", "streamlit", "streamlit_authenticator",
            "sqlalchemy.Engine",
        },
        # Pure rules. Permissions are rules over the acting user's Scope, which auth/roles.py defines (pure).
        "rules": {"config", "auth.roles"},
        "config": set(),
        # The operator's command line: everything but the Streamlit app.
        "cli.py": {"auth", "charts", "config", "data", "metrics", "reports", "results", "rules", "sqlalchemy.Engine"},
    }.items()
}  # fmt: skip
ROOMS = tuple(ALLOWED)
EXEMPT = ("tests", "bench")  # may import anything (and are followed when a room imports them)
CONTROLLED = ("streamlit", "streamlit_authenticator", "sqlalchemy", "alembic", "psycopg")
# Rooms that never reach Streamlit, directly or through any module they import; in auth/ only the sign-in gate and
# the two pieces of session state it shares with ui/ (the cached engine, the session's language) may.
STREAMLIT_FREE = ("metrics", "charts", "reports", "results", "rules", "data", "config", "auth")
STREAMLIT_AWARE = ("auth/gate.py", "auth/engine.py", "auth/language.py")
DYNAMIC_IMPORTERS = {
    ("importlib", "import_module"),
    ("", "import_module"),
    ("", "__import__"),
    ("builtins", "__import__"),
}
SKIPPED_DIRS = {".venv", "var", "node_modules", "__pycache__"}


# ---------------------------------------------------------------- reading imports


@dataclass(frozen=True)
class Edge:
    """One import: `source` (a repository module) imports `target` (dotted), and only `names` of it when given."""

    source: str
    target: str
    names: tuple[str, ...] | None
    line: int
    dynamic: bool = False


def python_files(root: Path) -> list[Path]:
    """Every .py file of the repository, outside virtual environments, caches and hidden folders."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        found += [Path(folder) / name for name in sorted(files) if name.endswith(".py")]
    return found


def module_index(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every Python module in the repository (packages by their __init__.py)."""
    index: dict[str, Path] = {}
    for path in python_files(root):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            index[".".join(parts)] = path
    return index


def room_of(module: str) -> str:
    """The room a dotted module name belongs to: its top package, or 'app.py' / 'cli.py' for the top modules."""
    top = module.split(".")[0]
    return f"{top}.py" if top in ("app", "cli") else top


def _constant_strings(node: ast.AST | None) -> list[str] | None:
    """The strings a constant expression holds ("x", or a tuple/list of them); None when it is not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]
    return None


def _module_constants(tree: ast.Module) -> dict[str, list[str]]:
    """Module-level NAME = "x" / ("x", "y") assignments."""
    constants: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values = _constant_strings(node.value)
            if values is not None:
                constants[node.targets[0].id] = values
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            values = _constant_strings(node.value)
            if values is not None:
                constants[node.target.id] = values
    return constants


def _dynamic_targets(call: ast.Call, parents: Mapping[ast.AST, ast.AST], constants) -> list[str] | None:
    """The module names a dynamic import call can import, or None when they cannot be worked out from the source."""
    if not call.args:
        return None
    arg = call.args[0]
    values = _constant_strings(arg) if isinstance(arg, ast.Constant) else None
    if values is None and isinstance(arg, ast.Name):
        # A loop variable over a constant tuple (`for name in MODULES: import_module(name)`), or a module constant.
        node = call
        while node in parents and values is None:
            node = parents[node]
            if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == arg.id:
                iterable = node.iter
                values = constants.get(iterable.id) if isinstance(iterable, ast.Name) else _constant_strings(iterable)
                break
        if values is None and isinstance(node, ast.Module):
            values = constants.get(arg.id)
    return values


def _call_name(func: ast.AST) -> tuple[str, str] | None:
    if isinstance(func, ast.Name):
        return "", func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id, func.attr
    return None


def _absolute(module: str, level: int, name: str | None, is_package: bool) -> str:
    """The absolute dotted name of a relative import in `module`."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, *([name] if name else [])])


def module_edges(module: str, path: Path) -> list[Edge]:
    """Every import a module makes, static or dynamic (a dynamic one it cannot resolve has target '?')."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    constants = _module_constants(tree)
    is_package = path.name == "__init__.py"
    edges: list[Edge] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            edges += [Edge(module, alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                target = _absolute(module, node.level, node.module, is_package)
            edges.append(Edge(module, target, tuple(alias.name for alias in node.names), node.lineno))
        elif isinstance(node, ast.Call) and _call_name(node.func) in DYNAMIC_IMPORTERS:
            targets = _dynamic_targets(node, parents, constants)
            if targets is None:
                edges.append(Edge(module, "?", None, node.lineno, dynamic=True))
            for target in targets or ():
                if target.startswith("."):
                    package = next((k.value for k in node.keywords if k.arg == "package"), None)
                    level = len(target) - len(target.lstrip("."))
                    base = package.value if isinstance(package, ast.Constant) else module
                    target = _absolute(base, level, target.lstrip(".") or None, isinstance(package, ast.Constant))
                edges.append(Edge(module, target, None, node.lineno, dynamic=True))
    return edges


class Graph:
    """The repository's modules and their imports, resolved to repository modules where they are ones."""

    def __init__(self, root: Path):
        self.root = root
        self.index = module_index(root)
        self.edges = {module: module_edges(module, path) for module, path in self.index.items()}
        self.tops = {module.split(".")[0] for module in self.index}
        self._imports: dict[str, list[str]] = {}

    def targets(self, edge: Edge) -> list[tuple[str, tuple[str, ...] | None]]:
        """What an import names: `from p import sub` names the submodule p.sub; other names stay names of p."""
        submodules = [n for n in edge.names or () if f"{edge.target}.{n}" in self.index]
        others = tuple(n for n in edge.names or () if n not in submodules)
        named = [(f"{edge.target}.{n}", None) for n in submodules]
        return named + ([(edge.target, others or None)] if others or not submodules else [])

    def resolve(self, edge: Edge) -> list[str]:
        """The repository modules an import loads, deepest first: the modules it names (or the module a name comes
        from), then the packages above them, whose __init__ runs first."""
        loaded: list[str] = []
        for target, _names in self.targets(edge):
            parts = target.split(".")
            loaded += [".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in self.index]
        return list(dict.fromkeys(loaded))

    def is_repository(self, target: str) -> bool:
        return target.split(".")[0] in self.tops

    def imports(self, module: str) -> list[str]:
        """The repository modules `module` imports directly."""
        if module not in self._imports:
            loaded = [m for edge in self.edges[module] for m in self.resolve(edge) if m != module]
            self._imports[module] = list(dict.fromkeys(loaded))
        return self._imports[module]

    def chain(self, start: str, wanted) -> list[str] | None:
        """The shortest chain of imports from `start` to a module satisfying `wanted(module)`, or None."""
        before: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            module = queue.popleft()
            if wanted(module):
                path = [module]
                while before[path[-1]] is not None:
                    path.append(before[path[-1]])
                return path[::-1]
            for nxt in self.imports(module):
                if nxt not in before:
                    before[nxt] = module
                    queue.append(nxt)
        return None


@functools.cache
def graph_of(root: Path) -> Graph:
    """The import graph of a tree, read once per test process (each check below asks for it)."""
    return Graph(root)


# ---------------------------------------------------------------- the checks


def _allows(entries: Iterable[str], target: str, names: tuple[str, ...] | None) -> bool:
    """True when one of the allowed entries covers importing `target` (or just `names` of it)."""
    for entry in entries:
        if target == entry or target.startswith(entry + "."):
            return True
    return bool(names) and all(f"{target}.{name}" in entries for name in names)


def _checked(graph: Graph, target: str) -> bool:
    """True for what the rule governs: repository modules and the controlled third-party packages."""
    return graph.is_repository(target) or target.split(".")[0] in CONTROLLED


def direct_violations(root: Path, allowed: Mapping[str, frozenset[str]] = ALLOWED) -> list[str]:
    """Imports that are not allowed edges, and dynamic imports whose module cannot be worked out."""
    graph = graph_of(root)
    found: list[str] = []
    for module in sorted(graph.index):
        room = room_of(module)
        if room in EXEMPT:
            continue
        where = f"{graph.index[module].relative_to(root)}"
        for edge in graph.edges[module]:
            if edge.target == "?":
                found.append(f"{where}:{edge.line}: dynamic import of a module the source does not name")
                continue
            for target, names in graph.targets(edge):
                if not _checked(graph, target) or room_of(target) == room:
                    continue
                if room not in allowed or not _allows(allowed[room], target, names):
                    listed = f" ({', '.join(names)})" if names else ""
                    found.append(f"{where}:{edge.line}: {room} may not import {target}{listed}")
    return found


def _closure(allowed: Mapping[str, frozenset[str]], room: str) -> set[str]:
    """Every room a room may reach through allowed edges (itself included)."""
    seen, todo = {room}, [room]
    while todo:
        for entry in allowed.get(todo.pop(), ()):
            target = room_of(entry)
            if target in allowed and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def indirect_violations(root: Path, allowed: Mapping[str, frozenset[str]] = ALLOWED) -> list[str]:
    """Rooms reached through chains of imports that the allowed edges, followed, never lead to (e.g. through an
    exempt module or a room missing from the table), shown with the chain."""
    graph = graph_of(root)
    found: list[str] = []
    for module in sorted(graph.index):
        room = room_of(module)
        if room in EXEMPT:
            continue
        reachable = _closure(allowed, room)
        chain = graph.chain(module, lambda m, reachable=reachable: room_of(m) not in reachable | set(EXEMPT))
        if chain:
            found.append(f"{room} reaches {room_of(chain[-1])}: {' -> '.join(chain)}")
    return found


def _in_streamlit_free(root: Path, path: Path) -> bool:
    rel = path.relative_to(root).as_posix()
    return rel not in STREAMLIT_AWARE and any(rel.startswith(entry + "/") for entry in STREAMLIT_FREE)


def streamlit_violations(root: Path) -> list[str]:
    """Modules that must stay Streamlit-free but import it, directly or through any repository module."""
    graph = graph_of(root)

    def imports_streamlit(module: str) -> bool:
        return any(edge.target.split(".")[0].startswith("streamlit") for edge in graph.edges[module])

    found: list[str] = []
    for module, path in sorted(graph.index.items()):
        if _in_streamlit_free(root, path):
            chain = graph.chain(module, imports_streamlit)
            if chain:
                found.append(f"{path.relative_to(root)} reaches streamlit: {' -> '.join([*chain, 'streamlit'])}")
    return found


def import_cycles(root: Path) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (imports inside functions included)."""
    graph = graph_of(root)
    modules = [m for m in graph.index if room_of(m) not in EXEMPT]
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []
    for start in modules:  # Tarjan's strongly connected components, iteratively
        if start in order:
            continue
        work = [(start, iter(graph.imports(start)))]
        order[start] = low[start] = len(order)
        stack.append(start)
        while work:
            module, nexts = work[-1]
            for nxt in nexts:
                if room_of(nxt) in EXEMPT:
                    continue
                if nxt not in order:
                    order[nxt] = low[nxt] = len(order)
                    stack.append(nxt)
                    work.append((nxt, iter(graph.imports(nxt))))
                    break
                if nxt in stack:
                    low[module] = min(low[module], order[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == order[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        cycles.append(sorted(group))
    return sorted(cycles)


def missing_rooms(root: Path, allowed: Mapping[str, frozenset[str]] = ALLOWED) -> list[str]:
    """Listed rooms that do not exist (a package directory, or app.py / cli.py)."""
    return [
        room for room in allowed if not ((root / room).is_file() if room.endswith(".py") else (root / room).is_dir())
    ]


def unlisted_code(root: Path, allowed: Mapping[str, frozenset[str]] = ALLOWED) -> list[str]:
    """Top-level Python files and folders that are neither a listed room nor exempt: the rule would not see them."""
    tops = {path.relative_to(root).parts[0] for path in python_files(root)}
    return sorted(tops - set(allowed) - set(EXEMPT))


# ---------------------------------------------------------------- the repository


def test_every_listed_room_exists():
    assert missing_rooms(ROOT) == []


def test_all_code_lives_in_a_listed_room():
    assert unlisted_code(ROOT) == []


def test_every_import_is_an_allowed_edge():
    assert direct_violations(ROOT) == []


def test_no_room_reaches_a_forbidden_room_through_other_modules():
    assert indirect_violations(ROOT) == []


def test_streamlit_free_rooms_never_reach_streamlit():
    assert streamlit_violations(ROOT) == []


def test_no_module_imports_itself_round_a_loop():
    assert import_cycles(ROOT) == []


def test_nothing_but_app_imports_app_pages():
    assert [room for room, targets in ALLOWED.items() if any(room_of(t) == "app_pages" for t in targets)] == ["app.py"]


def test_no_pages_folder_beside_app():
    """A pages/ folder would be auto-exposed by Streamlit before the sign-in gate runs."""
    assert not (ROOT / "pages").exists()


# ---------------------------------------------------------------- the checker itself, on tiny fake repositories

# Each planted break is a few files; the rest of a fake repository is empty rooms.
PLANTED = {
    "metrics loads data.queries through importlib": {
        "metrics/rates.py": 'import importlib\n\nqueries = importlib.import_module("data.queries")\n',
        "data/queries.py": "import sqlalchemy\n",
    },
    "charts imports streamlit through __import__": {
        "charts/theme.py": 'st = __import__("streamlit")\n',
    },
    "auth/roles.py imports ui.db": {
        "auth/roles.py": "from ui.db import get_engine\n",
        "ui/db.py": "import streamlit as st\n",
    },
    "metrics reaches data through an exempt module": {
        "metrics/spc.py": "from tests import helpers\n",
        "tests/helpers.py": "from data import queries\n",
        "data/queries.py": "",
    },
    "a dynamic import of a computed name": {
        "metrics/rates.py": "import importlib\n\n\ndef load(name):\n    return importlib.import_module(name)\n",
    },
    "a submodule imported by name from its package": {
        "charts/theme.py": "from data import queries\n",
        "data/queries.py": "",
    },
    "results reach streamlit through a room that may use it": {
        "results/frames.py": "from auth import gate\n",
        "auth/gate.py": "import streamlit\n",
    },
    "a page runs SQL": {
        "app_pages/audit.py": "from sqlalchemy import select\n",
    },
    "an auth module besides the gate uses Streamlit": {
        "auth/passwords.py": "import streamlit as st\n",
    },
}
EXPECTED = {
    "metrics loads data.queries through importlib": ["metrics/rates.py:3: metrics may not import data.queries"],
    "charts imports streamlit through __import__": ["charts/theme.py:1: charts may not import streamlit"],
    "auth/roles.py imports ui.db": ["auth/roles.py:1: auth may not import ui.db (get_engine)"],
    "metrics reaches data through an exempt module": ["metrics/spc.py:1: metrics may not import tests.helpers"],
    "a dynamic import of a computed name": ["metrics/rates.py:5: dynamic import of a module the source does not name"],
    "a submodule imported by name from its package": ["charts/theme.py:1: charts may not import data.queries"],
    "results reach streamlit through a room that may use it": ["results/frames.py:1: results may not import auth.gate"],
    "a page runs SQL": ["app_pages/audit.py:1: app_pages may not import sqlalchemy (select)"],
    "an auth module besides the gate uses Streamlit": [],  # auth/ may, but only in STREAMLIT_AWARE
}
# What the checks that follow imports say about the same trees (besides the direct edges above).
EXPECTED_STREAMLIT = {
    "an auth module besides the gate uses Streamlit": [
        "auth/passwords.py reaches streamlit: auth.passwords -> streamlit"
    ],
    "charts imports streamlit through __import__": ["charts/theme.py reaches streamlit: charts.theme -> streamlit"],
    "auth/roles.py imports ui.db": ["auth/roles.py reaches streamlit: auth.roles -> ui.db -> streamlit"],
    "results reach streamlit through a room that may use it": [
        "results/frames.py reaches streamlit: results.frames -> auth.gate -> streamlit"
    ],
}
EXPECTED_INDIRECT = {
    "metrics loads data.queries through importlib": ["metrics reaches data: metrics.rates -> data.queries"],
    "auth/roles.py imports ui.db": ["auth reaches ui: auth.roles -> ui.db"],
    "metrics reaches data through an exempt module": [
        "metrics reaches data: metrics.spc -> tests.helpers -> data.queries"
    ],
    "a submodule imported by name from its package": ["charts reaches data: charts.theme -> data.queries"],
}


def fake_repository(root: Path, files: Mapping[str, str]) -> Path:
    """Every listed room (empty), exempt folders, and the given files."""
    for room in ALLOWED:
        if room.endswith(".py"):
            (root / room).write_text("", encoding="utf-8")
        else:
            (root / room).mkdir()
            (root / room / "__init__.py").write_text("", encoding="utf-8")
    for folder in EXEMPT:
        (root / folder).mkdir()
        (root / folder / "__init__.py").write_text("", encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_the_checker_reports_each_planted_break(tmp_path, case):
    root = fake_repository(tmp_path, PLANTED[case])
    assert missing_rooms(root) == [] and unlisted_code(root) == []
    assert direct_violations(root) == EXPECTED[case]
    assert streamlit_violations(root) == EXPECTED_STREAMLIT.get(case, [])
    assert indirect_violations(root) == EXPECTED_INDIRECT.get(case, [])


ALLOWED_TREES = {
    "a page imports a data service and the catalogue": {
        "app_pages/audit.py": "from data.audit import audit_frame\nfrom metrics.catalogue import CUTS\n",
        "data/audit.py": "from sqlalchemy import select\nfrom auth.roles import Scope\n",
        "auth/roles.py": "",
        "metrics/catalogue.py": "",
    },
    "a loop over a constant tuple of module names": {
        "ui/warmup.py": (
            'import importlib\n\nMODULES = ("altair", "charts.spc")\n\n\ndef warm():\n'
            "    for name in MODULES:\n        importlib.import_module(name)\n"
        ),
        "charts/spc.py": "import altair\n",
    },
    "a relative import within a room": {
        "charts/theme.py": "from .icons import RAG_ICONS\nfrom . import icons\n",
        "charts/icons.py": "",
    },
    "one name of a module allowed by name": {
        "ui/public.py": "from metrics.measures import Prepared\n",
        "metrics/measures.py": "from metrics.catalogue import Catalogue\n",
        "metrics/catalogue.py": "",
    },
    "the sign-in gate uses Streamlit and the data services": {
        "auth/gate.py": "import streamlit as st\nfrom auth.users import load_user\n",
        "auth/users.py": "from data.users import load_user\nfrom sqlalchemy import Engine\n",
        "data/users.py": "from sqlalchemy import select\nfrom auth.roles import Scope\n",
        "auth/roles.py": "",
    },
}


@pytest.mark.parametrize("case", sorted(ALLOWED_TREES))
def test_the_checker_accepts_allowed_edges(tmp_path, case):
    root = fake_repository(tmp_path, ALLOWED_TREES[case])
    assert direct_violations(root) == []
    assert indirect_violations(root) == []
    assert streamlit_violations(root) == []


def test_an_import_cycle_is_reported(tmp_path):
    root = fake_repository(
        tmp_path,
        {
            "auth/users.py": "def ensure():\n    from auth.demo import ensure as inner\n\n    return inner()\n",
            "auth/demo.py": "from auth.users import create_user\n",
            "auth/roles.py": "from auth import sessions\n",
            "auth/sessions.py": "",
        },
    )
    assert import_cycles(root) == [["auth.demo", "auth.users"]]


def test_a_missing_room_is_reported(tmp_path):
    root = fake_repository(tmp_path, {})
    (root / "rules" / "__init__.py").unlink()
    (root / "rules").rmdir()
    (root / "cli.py").unlink()
    assert missing_rooms(root) == ["rules", "cli.py"]


def test_code_outside_every_room_is_reported(tmp_path):
    root = fake_repository(tmp_path, {})
    (root / "helpers.py").write_text("import streamlit\n", encoding="utf-8")
    (root / "utils").mkdir()
    (root / "utils" / "text.py").write_text("", encoding="utf-8")
    assert unlisted_code(root) == ["helpers.py", "utils"]
