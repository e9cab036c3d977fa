"""docs/architecture.md is the map of the runtime package: every module is on it.

A module added without a line there fails here, so a newcomer reading the map finds every idea
where the code keeps it. Alembic's revision files are named by their folder
(``warehouse/migrations/``), a package's ``__init__.py`` by the package.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "plugins" / "reconcile"
DOC = ROOT / "docs" / "architecture.md"


def _modules() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if path.name == "__init__.py" or rel.startswith("warehouse/migrations/"):
            continue
        found.append(rel)
    return found


def test_the_map_names_every_module_of_the_runtime_package() -> None:
    text = DOC.read_text(encoding="utf-8")
    modules = _modules()
    assert len(modules) > 50  # the walk found the package
    missing = [rel for rel in modules if f"`{rel}`" not in text]
    assert missing == [], f"docs/architecture.md does not name: {', '.join(missing)}"


def test_the_map_names_no_module_that_is_gone() -> None:
    """A module named in the map's table exists (a renamed one is renamed there too)."""
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("## Where each idea lives") :]
    named = {
        cell.strip("`")
        for line in table.splitlines()
        if line.startswith("| `")
        for cell in line.split("|")[1].split(", ")
        if cell.strip().strip("`").endswith(".py")
    }
    assert named, "the table of modules is empty"
    gone = sorted(
        rel for rel in (n.strip().strip("`") for n in named) if not (PACKAGE / rel).exists()
    )
    assert gone == [], f"docs/architecture.md names modules that do not exist: {', '.join(gone)}"
