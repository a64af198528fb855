"""Sphinx configuration of the dec-array documentation.

Build (from the repository root; warnings are errors)::

    pip install ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

The build works offline. Intersphinx (links to the NumPy, SciPy and Python
documentation) needs their ``objects.inv`` inventories from the network, so it is only
switched on when the environment variable ``DOCS_INTERSPHINX=1`` is set::

    DOCS_INTERSPHINX=1 sphinx-build -W --keep-going -b html docs docs/_build/html

Without it, references such as :class:`numpy.random.Generator` in the docstrings are
rendered as plain code (Sphinx only warns about unresolved Python references in
nitpicky mode, which is off), and the build neither tries nor waits for the network.

The Markdown pages are parsed by MyST (with ``$...$`` / ``$$...$$`` math); their
``pycon`` examples are doctests, run by ``pytest --doctest-glob="*.md" docs``.

This file is plain Python without imports from Sphinx, so pytest's
``--doctest-modules`` can import it harmlessly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

_DOCS = Path(__file__).resolve().parent
_ROOT = _DOCS.parent
if str(_ROOT) not in sys.path:  # build from a source checkout without installing
    sys.path.insert(0, str(_ROOT))

from dec_array import __version__  # noqa: E402

# -- Project information ---------------------------------------------------------------

project = "dec-array"
author = "dec-array developers"
copyright = "dec-array developers, BSD-3-Clause"
version = ".".join(__version__.split(".")[:2])
release = __version__

# -- General configuration -------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/.ipynb_checkpoints"]
templates_path: list[str] = []
default_role = "py:obj"  # `name` in reST is a cross-reference, as in NumPy's docs
pygments_style = "sphinx"
nitpicky = False  # see the module docstring: unresolved external references stay plain

# -- MyST (Markdown) -------------------------------------------------------------------

myst_enable_extensions = [
    "amsmath",  # \begin{align} ... environments
    "dollarmath",  # $inline$ and $$display$$ math, as in docs/math.md
    "colon_fence",  # ::: directives
    "deflist",
]
myst_heading_anchors = 3  # [text](page.md#a-heading) links to headings up to ###
myst_dmath_double_inline = True

# -- autodoc and numpydoc --------------------------------------------------------------

autodoc_default_options = {
    "members": True,  # for automodule: the names of the module's __all__
    "member-order": "bysource",
}
autodoc_typehints = "none"  # the numpydoc Parameters sections say it in words
autodoc_preserve_defaults = True
autoclass_content = "class"

numpydoc_show_class_members = False  # members are documented by autodoc's :members:
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
numpydoc_validation_checks: set[str] = set()

# -- Intersphinx (only with DOCS_INTERSPHINX=1: it needs the network) -------------------

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "scipy": ("https://docs.scipy.org/doc/scipy", None),
}
intersphinx_timeout = 10
if os.environ.get("DOCS_INTERSPHINX", "") == "1":
    extensions.append("sphinx.ext.intersphinx")

# -- HTML output -----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"dec-array {release}"
html_static_path: list[str] = []
html_show_sourcelink = True
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "light"}


# -- Local tweaks ----------------------------------------------------------------------


def _trim_pycon_blocks(app: Any, doctree: Any) -> None:
    """Drop the trailing empty lines of ``pycon`` blocks.

    The Markdown pages end every ``pycon`` block with an empty line, without which
    doctest would read the closing fence as expected output; it is not shown.
    """
    from docutils import nodes

    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if block.get("language") == "pycon" and text != text.rstrip("\n"):
            block.rawsource = text.rstrip("\n")
            block.children = [nodes.Text(block.rawsource)]


def setup(app: Any) -> dict[str, bool]:
    app.connect("doctree-read", _trim_pycon_blocks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
