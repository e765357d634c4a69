"""The PDF edition: Jupyter Book's LaTeX builder with xelatex.

``_config.yml`` sets ``use_jupyterbook_latex: false`` (the default extension needs
``bbm.sty``) and ``latex_engine: xelatex`` so Swedish characters and hyphenation work with
the FreeFont OpenType fonts. A failed LaTeX run leaves state behind that breaks the next
one, so ``_build/latex`` is removed before every attempt.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import yaml

from ecoreport.errors import EcoreportError
from ecoreport.report.escape import escape_latex
from ecoreport.report.jupyterbook import run_jupyter_book

logger = logging.getLogger(__name__)

TEX_PACKAGES = ("latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
                "texlive-xetex texlive-lang-european fonts-freefont-otf")


def check_latex() -> None:
    """Raise with the exact install command when xelatex or latexmk is missing."""
    missing = [tool for tool in ("xelatex", "latexmk") if shutil.which(tool) is None]
    if missing:
        raise EcoreportError(
            f"the PDF needs {', '.join(missing)}; install the Debian packages with: "
            f"apt-get install {TEX_PACKAGES}")


def write_pdf_config(book: Path) -> Path:
    """The book's config for print: code cells are left out (the web book keeps them)."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["nb_remove_code_source"] = True
    # Jupyter Book passes the title to LaTeX as markup, unescaped; the län's name is data.
    latex_documents = config.setdefault("latex", {}).setdefault("latex_documents", {})
    latex_documents["title"] = escape_latex(config.get("title", ""))
    target = book / "_config_pdf.yml"
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target


def build_pdf(book: Path) -> Path:
    """Build ``book``'s PDF (notebooks must already be executed); return the PDF's path."""
    check_latex()
    latex_dir = book / "_build" / "latex"
    shutil.rmtree(latex_dir, ignore_errors=True)
    run_jupyter_book(book, "pdflatex", config=write_pdf_config(book))
    pdfs = sorted(latex_dir.glob("*.pdf"))
    if not pdfs:
        raise EcoreportError(f"the LaTeX build of {book} produced no PDF (see {latex_dir})")
    return pdfs[0]
