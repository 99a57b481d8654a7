"""The house's shape, checked on every `make test`: data flows one way through the floors, no
module imports itself round a circle, no module grows past 600 lines and no function past 60,
and the CLI reaches the stages through their public faces.

Reads the source with `ast` only (nothing is imported), so it runs in well under a second.
"""

from __future__ import annotations

import ast
import importlib
import types
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "watchfloor"

# Lower floors may be imported by higher ones, never the other way round. A stage's `records`
# module is the shared vocabulary of the flow: any floor may import it. `hooks` is how an
# earlier stage reaches a later one (the later one registers itself there).
FLOORS = {
    "errors": 0,
    "identity": 0,
    "hooks": 0,
    "settings": 0,
    "datafiles": 0,
    "schemas": 0,
    "store": 1,
    "nlp": 2,
    "ingest": 2,
    "extract": 3,
    "link": 4,
    "assess": 5,
    "warn": 6,
    "publish": 7,
    "share": 8,
    "pipeline": 9,
    "api": 10,
    "web": 10,
    "evaluation": 11,
    "cli": 12,
}

MAX_LINES = 600

# Modules over MAX_LINES, each waiting to be split by job (issue 15, point 7). The list may only
# shrink: a module not named here that grows past the limit fails, and so does a name here whose
# module has come under it (take it off the list). Empty now: keep it so.
OVER_LIMIT: set[str] = set()


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def floor(module: str) -> int | None:
    parts = module.split(".")
    return FLOORS.get(parts[1]) if len(parts) > 1 and parts[0] == "watchfloor" else None


def imported(tree: ast.Module, known: set[str]) -> Iterator[tuple[ast.stmt, str]]:
    """Every watchfloor module a file names in an import, wherever the import stands: a name
    imported from a package that is itself a module counts as that module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, node.module
            for alias in node.names:
                if f"{node.module}.{alias.name}" in known:
                    yield node, f"{node.module}.{alias.name}"


def load_time_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """The watchfloor modules a file imports while it loads: module-level imports, outside
    `if TYPE_CHECKING:` blocks and function bodies (those cannot make an import circle)."""
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If):
                test = node.test
                typing_only = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                    isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
                )
                if not typing_only:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                wrapper = ast.Module(body=[node], type_ignores=[])
                found.update(name for _, name in imported(wrapper, known) if name in known)

    visit(tree.body)
    return found


def parsed() -> dict[str, tuple[Path, ast.Module]]:
    return {name: (path, ast.parse(path.read_text(encoding="utf-8"))) for name, path in modules()}


def test_no_stage_imports_a_later_one() -> None:
    files = parsed()
    known = set(files)
    backward: list[str] = []
    for name, (path, tree) in files.items():
        mine = floor(name)
        if mine is None:
            continue
        for node, other in imported(tree, known):
            theirs = None if other.endswith(".records") else floor(other)
            if theirs is not None and theirs > mine:
                rel = path.relative_to(SRC)
                backward.append(f"{rel}:{node.lineno} imports {other} (a later floor)")
    assert backward == [], "imports against the data flow (use watchfloor.hooks):\n" + "\n".join(
        sorted(set(backward))
    )


def test_no_import_circles() -> None:
    files = parsed()
    known = set(files)
    graph = {name: load_time_imports(tree, known) - {name} for name, (_, tree) in files.items()}
    circles = [sorted(group) for group in strongly_connected(graph) if len(group) > 1]
    assert circles == [], f"import circles: {circles}"


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (the graph is a few hundred modules deep at most)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def test_no_module_over_600_lines() -> None:
    sizes = {
        path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8").count("\n")
        for _, path in modules()
    }
    over = {name for name, lines in sizes.items() if lines > MAX_LINES}
    new = sorted(f"{name}: {sizes[name]} lines" for name in over - OVER_LIMIT)
    assert new == [], f"modules over {MAX_LINES} lines (split them by job): {new}"
    done = sorted(OVER_LIMIT - over)
    assert done == [], f"under {MAX_LINES} lines now, take them off OVER_LIMIT: {done}"


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The three checks can fail: a backward import, a circle and an import only under
    TYPE_CHECKING (which makes no circle) are told apart on made-up modules."""
    known = {"watchfloor.store.a", "watchfloor.warn.b", "watchfloor.warn.records"}
    tree = ast.parse(
        "from watchfloor.warn.records import X\n"
        "from watchfloor.warn import b\n"
        "if TYPE_CHECKING:\n    import watchfloor.warn.c\n"
    )
    names = [name for _, name in imported(tree, known)]
    assert "watchfloor.warn.b" in names and "watchfloor.warn.c" in names
    assert load_time_imports(tree, known) == {"watchfloor.warn.records", "watchfloor.warn.b"}
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [sorted(g) for g in strongly_connected(graph) if len(g) > 1] == [["a", "b", "c"]]
    assert floor("watchfloor.store.a") == 1 and floor("watchfloor.warn.b") == 6


def test_every_error_sits_in_one_family_and_in_the_drawn_tree() -> None:
    """errors.py's docstring draws the tree; each error it defines is drawn there and descends
    from exactly one of the five families, so a caller can catch by what the user must fix."""
    from watchfloor import errors

    families = (
        errors.BadInput,
        errors.ConfigError,
        errors.StoreError,
        errors.PolicyError,
        errors.DeliveryError,
    )
    defined = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.WatchfloorError)
    ]
    doc = errors.__doc__ or ""
    assert len(defined) > len(families)
    for error in defined:
        if error is errors.WatchfloorError:
            continue
        assert f"── {error.__name__} " in doc, f"{error.__name__} is not drawn in errors.py"
        assert sum(issubclass(error, family) for family in families) == 1, error.__name__


ARCHITECTURE = SRC.parent / "docs" / "architecture.md"
BEGIN, END = "<!-- floors: generated by tests/test_house.py -->", "<!-- end floors -->"


def floor_diagram() -> str:
    """The floors, lowest first, each with the packages whose logic it imports (a `records`
    module, the shared vocabulary, is not counted), read from the code."""
    files = parsed()
    known = set(files)
    uses: dict[str, set[str]] = {package: set() for package in FLOORS}
    for name, (_, tree) in files.items():
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in FLOORS:
            continue
        for _, other in imported(tree, known):
            if other.endswith(".records") or not other.startswith("watchfloor."):
                continue
            target = other.split(".")[1]
            if target in FLOORS and target != parts[1]:
                uses[parts[1]].add(target)
    rows = ["floor  package     imports the logic of"]
    for package, level in sorted(FLOORS.items(), key=lambda item: (item[1], item[0])):
        below = ", ".join(sorted(uses[package], key=lambda p: (FLOORS[p], p))) or "-"
        rows.append(f"{level:>5}  {package:<10}  {below}")
    return "```\n" + "\n".join(rows) + "\n```"


def test_the_architecture_page_draws_the_floors_as_the_code_has_them() -> None:
    """docs/architecture.md's floor table is generated from the imports; regenerate it with
    `PYTHONPATH=src python tests/test_house.py` when a stage's imports change."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    drawn = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert drawn == floor_diagram(), "docs/architecture.md is stale: run tests/test_house.py"


# The stages whose public face (their package `__init__`) is all the CLI may import.
STAGES = (
    "store",
    "ingest",
    "nlp",
    "extract",
    "link",
    "assess",
    "warn",
    "publish",
    "share",
    "evaluation",
)


def test_the_cli_imports_the_stages_through_their_faces() -> None:
    """cli/ imports `watchfloor.<stage>` (or a stage's `records`), never a stage's modules,
    neither by their dotted name nor as a name (`from watchfloor.warn import cases`)."""
    behind: list[str] = []
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                names += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if _behind_a_face(name):
                    behind.append(f"{path.relative_to(SRC)}:{node.lineno}: {name}")
    assert behind == [], f"import these from the stage's package (add them to its face): {behind}"


def _behind_a_face(name: str) -> bool:
    """`watchfloor.<stage>.<module>...` where <module> is a real submodule, not `records`. A
    face may re-export a function under its module's name (`publish.rollup`): what the face
    gives for the name decides, and a module (or nothing but the file) is behind the face."""
    parts = name.split(".")
    if len(parts) < 3 or parts[0] != "watchfloor" or parts[1] not in STAGES:
        return False
    if parts[2] == "records":
        return False
    inner = PACKAGE / parts[1] / parts[2]
    if not (inner.with_suffix(".py").is_file() or (inner / "__init__.py").is_file()):
        return False
    given = getattr(importlib.import_module(f"watchfloor.{parts[1]}"), parts[2], None)
    return given is None or isinstance(given, types.ModuleType)


MAX_FUNCTION_LINES = 60

# Functions still over MAX_FUNCTION_LINES (issue 15, point 7), measured from `def` to the last
# line with ast. The list may only shrink, like OVER_LIMIT: a new long function fails, and so
# does a name here whose function has come under the limit or gone (take it off the list).
LONG_FUNCTIONS = {
    "watchfloor.assess.priority.prioritize",
    "watchfloor.assess.reading._evidence",
    "watchfloor.assess.service._assign",
    "watchfloor.assess.signals.load_signal_lexicon",
    "watchfloor.assess.trend._label",
    "watchfloor.cli.evaluate.eval_command",
    "watchfloor.cli.extract.extract_command",
    "watchfloor.cli.publish.review_build_command",
    "watchfloor.cli.store.ingest_command",
    "watchfloor.evaluation.scoring.SetScore.errors",
    "watchfloor.extract.lexicon.load_lexicon",
    "watchfloor.extract.statements.StatementReader._split_conjoined",
    "watchfloor.extract.statements.StatementReader.statement",
    "watchfloor.extract.syntax.Syntax.np",
    "watchfloor.ingest.files._html_document",
    "watchfloor.ingest.watching._watch_one",
    "watchfloor.link.protectees.load_protectees",
    "watchfloor.publish.review.add_portion",
    "watchfloor.store.repository.add_document_with_statements",
    "watchfloor.warn.cases.triage",
}


def function_sizes() -> dict[str, int]:
    """Lines of every function and method, by dotted name (module.Class.method)."""
    sizes: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}.{child.name}"
                sizes[name] = (child.end_lineno or child.lineno) - child.lineno + 1
                visit(child, name)
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}.{child.name}")

    for name, (_, tree) in parsed().items():
        visit(tree, name)
    return sizes


def test_no_function_over_60_lines() -> None:
    sizes = function_sizes()
    long = {name for name, lines in sizes.items() if lines > MAX_FUNCTION_LINES}
    new = sorted(f"{name}: {sizes[name]} lines" for name in long - LONG_FUNCTIONS)
    assert new == [], f"functions over {MAX_FUNCTION_LINES} lines (split them): {new}"
    done = sorted(LONG_FUNCTIONS - long)
    assert done == [], f"under the limit now or gone: take them off LONG_FUNCTIONS: {done}"


if __name__ == "__main__":
    page = ARCHITECTURE.read_text(encoding="utf-8")
    head, rest = page.split(BEGIN, 1)
    ARCHITECTURE.write_text(
        f"{head}{BEGIN}\n{floor_diagram()}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8"
    )
