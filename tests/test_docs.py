"""Checks of the documentation sources that need neither Sphinx nor the network.

The Sphinx build itself (``sphinx-build -W``) and the ``pycon`` examples of the Markdown
pages (``pytest --doctest-glob="*.md" docs``) run separately; these tests catch, in the
plain test run, the two mistakes that are easy to make without noticing: a public module
or name that the API reference does not document, and a Markdown example that doctest
will misread.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import dec_array

DOCS = Path(__file__).resolve().parent.parent / "docs"
API = DOCS / "api"

# Private modules, and modules whose public names are documented as ``dec_array.NAME``.
_NOT_DOCUMENTED_AS_MODULES = {"__main__", "estimator", "head", "kmeans"}

_DIRECTIVE = re.compile(
    r"^\s*\.\. auto(module|class|exception|function|data)::\s+(\S+)", re.MULTILINE
)
_CURRENT = re.compile(r"^\s*\.\. currentmodule::\s+(\S+)", re.MULTILINE)


def _documented() -> tuple[set[str], set[str]]:
    """Modules documented by ``automodule`` and objects by the other ``auto*`` directives."""
    modules: set[str] = set()
    objects: set[str] = set()
    for rst in sorted(API.glob("*.rst")):
        text = rst.read_text(encoding="utf-8")
        current = _CURRENT.findall(text)
        prefix = current[0] + "." if current else ""
        for kind, name in _DIRECTIVE.findall(text):
            if kind == "module":
                modules.add(name)
            else:
                objects.add(name if name.startswith("dec_array") else prefix + name)
    return modules, objects


def _public_submodules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(dec_array.__path__)
        if not info.name.startswith("_") and info.name not in _NOT_DOCUMENTED_AS_MODULES
    )


@pytest.mark.skipif(not API.is_dir(), reason="no docs/api folder in this checkout")
@pytest.mark.parametrize("name", _public_submodules())
def test_every_public_module_has_an_api_page(name: str) -> None:
    modules, _ = _documented()
    module = importlib.import_module(f"dec_array.{name}")
    assert f"dec_array.{name}" in modules, (
        f"dec_array.{name} is public but no docs/api/*.rst has '.. automodule:: "
        f"dec_array.{name}'; add a page for it to docs/api/ and its index"
    )
    # automodule documents exactly the module's __all__: it must exist and name real objects
    assert hasattr(module, "__all__"), f"dec_array.{name} needs an __all__ for its API page"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"dec_array.{name}.__all__ names missing objects: {missing}"


@pytest.mark.skipif(not API.is_dir(), reason="no docs/api folder in this checkout")
def test_every_top_level_name_is_documented() -> None:
    modules, objects = _documented()
    submodules = {n for n in dec_array.__all__ if f"dec_array.{n}" in modules}
    undocumented = [
        f"dec_array.{n}"
        for n in dec_array.__all__
        if n != "__version__" and n not in submodules and f"dec_array.{n}" not in objects
    ]
    assert not undocumented, (
        f"{undocumented} are in dec_array.__all__ but not in docs/api/estimators.rst"
    )


def _markdown_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md")) if DOCS.is_dir() else []


@pytest.mark.parametrize("page", _markdown_pages(), ids=lambda p: p.name)
def test_pycon_blocks_end_with_a_blank_line(page: Path) -> None:
    """doctest reads the closing fence as expected output unless a blank line precedes it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    inside, bad = False, []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not inside and stripped.startswith("```pycon"):
            inside = True
        elif inside and stripped.startswith("```"):
            inside = False
            if lines[number - 2].strip():
                bad.append(number)
    assert not inside, f"{page.name}: a ```pycon block is not closed"
    assert not bad, (
        f"{page.name}: the ```pycon blocks closing on lines {bad} need an empty line before "
        "the closing fence (doctest would take the fence for expected output)"
    )
