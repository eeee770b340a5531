"""Rules of the house that a reviewer would otherwise have to remember.

Each rule is a function over files that names its offenders, tested twice: on
the real tree (it must hold) and on a deliberately broken file (it must catch it,
with a message that says what to fix).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
BIN = Path(sys.executable).parent

MAX_MODULE_LINES = 400  # STYLE.md: modules under ~400 lines, split by responsibility
MAX_FUNCTION_LINES = 50  # STYLE.md: functions under ~50 lines
# app/engine/ takes and returns plain data: no web framework, no database, no app code.
ENGINE_FORBIDDEN = ("flask", "flask_*", "werkzeug", "sqlalchemy", "app.* outside app.engine")


def catalogue(locale: str) -> dict[str, str]:
    """msgid -> translation; a plural entry counts as translated only when every form is."""
    with open(ROOT / "app" / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        entries = [m for m in read_po(f) if m.id and "fuzzy" not in m.flags]
    return {str(m.id): ("" if isinstance(m.string, tuple) and not all(m.string) else str(m.string)) for m in entries}


def test_every_user_visible_string_is_translated(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    babel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(babel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    with open(pot, "rb") as f:
        wanted = {str(m.id) for m in read_po(f) if m.id}
    for locale in ("zh_Hans_CN", "en"):
        have = catalogue(locale)
        missing = sorted(m for m in wanted if not have.get(m))
        assert not missing, f"untranslated in {locale} (run `make translations`): {missing}"


# --- size -------------------------------------------------------------------------------------


def oversized_modules(root: Path, limit: int = MAX_MODULE_LINES) -> dict[str, int]:
    sizes = {str(p.relative_to(root.parent)): len(p.read_text("utf-8").splitlines()) for p in root.rglob("*.py")}
    return {path: n for path, n in sorted(sizes.items()) if n > limit}


def oversized_functions(root: Path, limit: int = MAX_FUNCTION_LINES) -> dict[str, int]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found[f"{path.relative_to(root.parent)}:{node.lineno} {node.name}()"] = length
    return found


def size_message(kind: str, offenders: dict[str, int], limit: int) -> str:
    listed = ", ".join(f"{name} ({n} lines)" for name, n in offenders.items())
    return f"{kind} over {limit} lines: {listed}; split by responsibility (STYLE.md)"


def test_modules_stay_small() -> None:
    offenders = oversized_modules(APP)
    assert not offenders, size_message("modules", offenders, MAX_MODULE_LINES)


def test_functions_stay_short() -> None:
    offenders = oversized_functions(APP)
    assert not offenders, size_message("functions", offenders, MAX_FUNCTION_LINES)


def test_a_600_line_module_is_named(tmp_path: Path) -> None:
    (tmp_path / "app" / "cases").mkdir(parents=True)
    (tmp_path / "app" / "cases" / "service.py").write_text("x = 1\n" * 600, "utf-8")
    (tmp_path / "app" / "cases" / "models.py").write_text("x = 1\n" * 40, "utf-8")
    offenders = oversized_modules(tmp_path / "app")
    assert offenders == {"app/cases/service.py": 600}
    assert size_message("modules", offenders, 400) == (
        "modules over 400 lines: app/cases/service.py (600 lines); split by responsibility (STYLE.md)"
    )


def test_a_long_function_is_named(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    (tmp_path / "app" / "views.py").write_text(f"def short():\n    pass\n\n\ndef detail():\n{body}", "utf-8")
    assert oversized_functions(tmp_path / "app") == {"app/views.py:5 detail()": 61}


# --- the engine boundary ----------------------------------------------------------------------


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in a module of `package`; relative ones resolved."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1] if node.level else []
            if node.module:
                found.append((node.lineno, ".".join([*base, node.module])))
            else:  # `from .. import extensions` imports the module app.extensions
                found += [(node.lineno, ".".join([*base, alias.name])) for alias in node.names]
    return found


def is_forbidden_in_engine(module: str) -> bool:
    top = module.split(".", maxsplit=1)[0]
    if top in ("flask", "werkzeug", "sqlalchemy") or top.startswith("flask_"):
        return True
    return top == "app" and not (module == "app.engine" or module.startswith("app.engine."))


def engine_boundary_violations(engine_dir: Path) -> list[str]:
    """Forbidden imports in `engine_dir` (an app/engine/ folder), as "file:line imports module"."""
    root = engine_dir.parent.parent
    offenders = []
    for path in sorted(engine_dir.rglob("*.py")):
        relative = path.relative_to(root)
        package = ".".join(relative.parent.parts)
        for line, module in imported_modules(path, package):
            if is_forbidden_in_engine(module):
                offenders.append(f"{relative}:{line} imports {module}")
    return offenders


def boundary_message(offenders: list[str]) -> str:
    return (
        "app/engine/ must take and return plain data and import none of "
        f"{', '.join(ENGINE_FORBIDDEN)}: " + "; ".join(offenders) + ". Move that code to the calling service."
    )


def test_the_engine_imports_no_flask_database_or_app_code() -> None:
    offenders = engine_boundary_violations(APP / "engine")
    assert not offenders, boundary_message(offenders)


def test_an_engine_module_importing_flask_or_models_is_named(tmp_path: Path) -> None:
    engine = tmp_path / "app" / "engine"
    engine.mkdir(parents=True)
    (engine / "__init__.py").write_text("from app.engine.runner import start\n", "utf-8")
    (engine / "runner.py").write_text(
        "import json\nfrom flask import g\nimport flask_login\nfrom app.engine.errors import EngineError\n"
        "from app.cases.models import Case\nfrom .. import extensions\nfrom ..tasks import service\n",
        "utf-8",
    )
    assert engine_boundary_violations(engine) == [
        "app/engine/runner.py:2 imports flask",
        "app/engine/runner.py:3 imports flask_login",
        "app/engine/runner.py:5 imports app.cases.models",
        "app/engine/runner.py:6 imports app.extensions",
        "app/engine/runner.py:7 imports app.tasks",
    ]
    assert "app/engine/runner.py:2 imports flask; " in boundary_message(engine_boundary_violations(engine))


# --- only app/engine/ imports SpiffWorkflow: ruff's banned-api rule (TID251) --------------------


def ruff_check(source: str, filename: str) -> subprocess.CompletedProcess[str]:
    """Lint `source` as if it were `filename` in this project, with its pyproject.toml."""
    return subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "--output-format", "concise", "--select", "TID251",
                           "--stdin-filename", filename, "-"],
                          cwd=ROOT, input=source, capture_output=True, text=True, check=False)  # fmt: skip


@pytest.mark.parametrize(
    "source",
    ["from SpiffWorkflow.bpmn import BpmnWorkflow\n", "import SpiffWorkflow\n", "import SpiffWorkflow.util.task\n"],
)
def test_a_spiffworkflow_import_in_a_view_fails_the_lint(source: str) -> None:
    result = ruff_check(source, "app/cases/views.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app/cases/views.py:1:" in result.stdout
    assert "TID251 `SpiffWorkflow" in result.stdout
    assert "only app/engine/ imports SpiffWorkflow" in result.stdout


def test_only_the_engine_mentions_spiffworkflow() -> None:
    # Belt and braces for the lint: also catches importlib.import_module("SpiffWorkflow...").
    offenders = [str(p.relative_to(ROOT)) for p in APP.rglob("*.py")
                 if "SpiffWorkflow" in p.read_text("utf-8") and "engine" not in p.relative_to(APP).parts]  # fmt: skip
    assert not offenders, f"only app/engine/ may use SpiffWorkflow; move that code behind app.engine: {offenders}"


def test_the_engine_may_import_spiffworkflow() -> None:
    result = ruff_check("from SpiffWorkflow.bpmn import BpmnWorkflow\n", "app/engine/runner.py")
    assert result.returncode == 0, result.stdout + result.stderr
