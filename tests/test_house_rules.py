"""Rules of the house that a reviewer would otherwise have to remember."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def catalogue(locale: str) -> dict[str, str]:
    with open(ROOT / "app" / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f) if m.id and "fuzzy" not in m.flags}


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


def test_modules_stay_small() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text("utf-8").splitlines()) for p in (ROOT / "app").rglob("*.py")}
    assert not {p: n for p, n in sizes.items() if n > 400}


def test_only_the_engine_imports_spiffworkflow() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if "SpiffWorkflow" in p.read_text("utf-8") and "engine" not in p.relative_to(ROOT / "app").parts]  # fmt: skip
    assert not offenders
