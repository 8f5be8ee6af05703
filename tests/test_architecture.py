"""The house rules, checked on the package's own imports: no import cycle between modules, no
Dagster under lib/, no helper imported from one stage file into another, no stage file that
joins paths to the storage root."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rag_eval_assets"


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports (at any level, lazily or not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = here.split(".")[: -node.level] if not path.name == "__init__.py" else here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name.startswith("rag_eval_assets") and name != here:
                found.add(name)
    return found


GRAPH = {m: imports(p) for m, p in MODULES.items()}


def test_no_import_cycle_between_modules():
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    # a package __init__ re-exporting its own submodules is not a cycle between modules
    real = [c for c in cycles if not all(m.startswith(min(c, key=len) + ".") or m == min(c, key=len) for m in c)]
    assert not real, real


def test_no_dagster_under_lib():
    offenders = [m for m, p in MODULES.items() if m.startswith("rag_eval_assets.lib")
                 and re.search(r"^\s*(import dagster|from dagster)", p.read_text(encoding="utf-8"), re.M)]
    assert not offenders, offenders


def test_stage_files_take_no_helpers_from_each_other():
    """defs/ files import lib/, resources, settings, partitions and the shared checks helper;
    another stage file only for an asset definition (here: none at all)."""
    allowed = {"rag_eval_assets.defs._checks", "rag_eval_assets.resources", "rag_eval_assets.settings",
               "rag_eval_assets.partitions"}
    for module, deps in GRAPH.items():
        if not module.startswith("rag_eval_assets.defs"):
            continue
        bad = {d for d in deps if d.startswith("rag_eval_assets.defs") and d not in allowed}
        bad |= {d for d in deps if d.startswith("rag_eval_assets.") and not d.startswith(
            ("rag_eval_assets.lib", "rag_eval_assets.defs")) and d not in allowed}
        assert not bad, (module, bad)
    for module, deps in GRAPH.items():
        if module.startswith("rag_eval_assets.lib"):
            assert not {d for d in deps if not d.startswith("rag_eval_assets.lib")}, module  # lib imports only lib


def test_no_stage_file_joins_paths_to_the_storage_root():
    found = subprocess.run(["grep", "-rn", r"store.root\|storage_root", str(PACKAGE / "defs")],
                           capture_output=True, text=True).stdout
    assert found == "", found


def test_no_environment_access_outside_settings():
    """Environment access lives in settings.py (and the documented offline defaults)."""
    allowed = {"rag_eval_assets/settings.py", "rag_eval_assets/cli.py",  # DAGSTER_HOME, Dagster's own variable
               "rag_eval_assets/lib/parsers/base.py", "rag_eval_assets/lib/parsers/isolation.py",
               "rag_eval_assets/lib/parsers/ocr.py",  # TESSDATA_PREFIX, tesseract's own variable
               "rag_eval_assets/lib/embedding/sentence_transformer.py",  # HF offline defaults
               "rag_eval_assets/lib/generation/_http.py",  # the API key, by the variable name configured
               "rag_eval_assets/lib/goldens/adapters.py",  # RAG_EVAL_EVALDATA, for tests and benchmarks
               "rag_eval_assets/lib/indexing/faiss_index.py"}  # OMP_WAIT_POLICY around the first faiss import
    hits = subprocess.run(["grep", "-rln", r"os.environ\|getenv", str(PACKAGE)], capture_output=True, text=True).stdout
    rel = {str(Path(h).relative_to(ROOT)) for h in hits.split()}
    assert rel <= allowed, rel - allowed


def test_definitions_load_without_heavy_imports():
    """Loading the code location must not import the heavy libraries (docling, presidio, torch,
    spaCy, FAISS, lingua): they load inside the functions that use them."""
    code = ("import sys; from rag_eval_assets.definitions import defs; defs.load_fn(); "
            "print(','.join(m for m in ('docling', 'presidio_analyzer', 'torch', 'spacy', 'sentence_transformers', "
            "'faiss', 'lingua', 'unstructured') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", out.stdout
