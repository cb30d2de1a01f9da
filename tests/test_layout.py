"""The layout is the pipeline: no import circles, every import points down the stages, `ui/` and `eval/`
use only `rag`'s public names, and nothing in `rag/` names an entity of our corpus."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

import rag

ROOT = Path(__file__).resolve().parents[1]

#: The stages, lowest first: a module may import its own stage and the ones before it, never a later one.
STAGES = ["rag._env", "rag.errors", "rag.settings", "rag.records", "rag.text", "rag.ingest", "rag.index",
          "rag.retrieve", "rag.llm", "rag.answer", "rag.verify", "rag.chat", "rag.assistant", "rag.cli", "rag"]
#: Names that must never appear in the library: entities of the five articles in corpus/.
CORPUS_NAMES = ["Crocus", "Tasmagambetov", "Masadykov", "Kyrgyzstan", "Kazakhstan", "CSTO", r"\bTTP\b", "ISKP",
                "Daesh", "Kabul", "Islamabad", "Lavrov", "Vershinin", "Muttaqi", "Mujahid", "Rakhmon", "Tajik",
                "Nabeel", "Munir", "Zardari", "Asif"]


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports from ``rag``, at any depth (function-level imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod == "rag" or mod.startswith("rag."):
                subs = [a.name for a in node.names
                        if (ROOT / mod.replace(".", "/") / f"{a.name}.py").exists()
                        or (ROOT / mod.replace(".", "/") / a.name / "__init__.py").exists()]
                out.update(f"{mod}.{name}" for name in subs)  # "from rag import _env" imports rag._env
                if len(subs) < len(node.names):
                    out.add(mod)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name == "rag" or a.name.startswith("rag."))
    out.discard(here)
    return out


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in sorted((ROOT / "rag").rglob("*.py"))}


def _stage(module: str) -> int:
    best = -1
    for i, stage in enumerate(STAGES):
        if module == stage or module.startswith(stage + "."):
            best = i if stage != "rag" or best < 0 else best
    return best


def test_no_module_of_rag_is_outside_the_stages():
    unknown = [m for m in _graph() if _stage(m) < 0 or (_stage(m) == len(STAGES) - 1 and m != "rag")]
    assert not unknown, unknown


def test_every_import_points_down_the_pipeline():
    wrong = [f"{m} -> {d}" for m, deps in _graph().items() for d in deps
             if m != "rag" and d != "rag" and _stage(d) > _stage(m)]
    assert not wrong, "imports of a later stage:\n" + "\n".join(sorted(wrong))
    upward_to_package = [m for m, deps in _graph().items() if "rag" in deps and m != "rag"]
    assert not upward_to_package, f"modules importing the package itself: {upward_to_package}"


def test_there_is_no_import_circle():
    graph = _graph()
    for start in graph:
        seen, stack = set(), [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    pytest.fail("import circle: " + " -> ".join(path + [nxt]))
                if nxt not in seen and nxt in graph:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))


@pytest.mark.parametrize("folder", ["ui", "eval"])
def test_ui_and_eval_use_only_the_public_names_of_rag(folder):
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for mod in _imports(path):
            if mod != "rag":
                offenders.append(f"{path.relative_to(ROOT)} imports {mod}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "rag":
                offenders += [f"{path.relative_to(ROOT)}: rag.{a.name} is not public" for a in node.names
                              if a.name not in rag.__all__]
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "rag" \
                    and not node.attr.startswith("__") and node.attr not in rag.__all__:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: rag.{node.attr} is not public")
    assert not offenders, "\n".join(offenders)


def test_ui_has_no_import_circle():
    graph = {_module(p): {m for m in _ui_imports(p)} for p in (ROOT / "ui").rglob("*.py")}
    for start in graph:
        seen, stack = set(), [start]
        while stack:
            for nxt in graph.get(stack.pop(), ()):
                assert nxt != start, f"ui import circle through {start}"
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)


def _ui_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                out.add(f"ui.{node.module}" if node.module else "ui")
            elif node.module and node.module.startswith("ui."):
                out.add(node.module)
    return out


def test_the_library_names_no_entity_of_our_corpus():
    pattern = re.compile("|".join(CORPUS_NAMES))
    hits = []
    for path in sorted((ROOT / "rag").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not hits, "\n".join(hits)


def test_modules_and_functions_stay_small():
    big_modules, big_functions = [], []
    for path in sorted((ROOT / "rag").rglob("*.py")) + sorted((ROOT / "ui").rglob("*.py")) + \
            sorted((ROOT / "eval").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 420:
            big_modules.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    big_functions.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines")
    assert not big_modules and not big_functions, "\n".join(big_modules + big_functions)


def _ranges() -> dict[str, list[str]]:
    found = defaultdict(list)
    for path in sorted((ROOT / "rag").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"1\s*<=\s*\w+\s*<=\s*50|1 to 50|1\.\.50", line):
                found["k range"].append(f"{path.relative_to(ROOT)}:{n}")
    return found


def test_the_range_of_k_is_written_once():
    assert len(_ranges()["k range"]) <= 1, _ranges()["k range"]
