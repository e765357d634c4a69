"""The PDF edition: Jupyter Book's LaTeX builder with xelatex.

``_config.yml`` sets ``use_jupyterbook_latex: false`` (the default extension needs
``bbm.sty``) and ``latex_engine: xelatex`` so Swedish characters and hyphenation work with
the FreeFont OpenType fonts. A failed LaTeX run leaves state behind that breaks the next
one, so ``_build/latex`` is removed before every attempt.

Speed: Jupyter Book writes the ``.tex`` and ecoreport runs xelatex itself, twice, instead of
``latexmk`` writing a PDF on each of its three or four passes. The first pass only collects
the table of contents and cross-references (``--no-pdf``: images are not embedded), the
second writes the PDF; the front matter has its own page numbers, so the contents' length
never moves a page number. Charts come as vector PDFs (see ``build.PRINT_CHARTS``), which
are quicker to render and to embed than PNGs.

The fixed wording (the cover, the document information, the contents' title) is in
``book/texts/pdf.md`` (:mod:`ecoreport.report.texts`); the LaTeX around it is here.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from datetime import date
from pathlib import Path

import yaml

from ecoreport.errors import EcoreportError
from ecoreport.markup.escape import escape_latex
from ecoreport.publishing.jupyterbook import run_jupyter_book
from ecoreport.report.texts import text

logger = logging.getLogger(__name__)

TEX_PACKAGES = ("latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
                "texlive-xetex texlive-lang-european fonts-freefont-otf")


def check_latex() -> None:
    """Raise with the exact install command when xelatex or latexmk is missing."""
    missing = [tool for tool in ("xelatex",) if shutil.which(tool) is None]
    if missing:
        raise EcoreportError(
            f"the PDF needs {', '.join(missing)}; install the Debian packages with: "
            f"apt-get install {TEX_PACKAGES}")


#: Colour of the cover band and the headings (the län's colour in the charts).
COVER_COLOUR = "1F5F8B"

#: Charts at most this share of the text height: two side-by-side panels (an indicator's
#: trend and all län) stay legible, and two such figures fit one page with their text.
FIGURE_HEIGHT = "0.25"

#: Chapters left out of the PDF: they only make sense on the web (download links to the
#: executed notebooks, package and file lists). The PDF's "Om rapporten" says so.
PRINT_LEAVE_OUT = ("notebooks/reproducerbarhet",)

#: The print layout: narrow margins, compact chapter and part headings that do not start a
#: new page (no half-empty openers), figures at most ~40 % of the page so two fit, small
#: table text, figures numbered once through the book.
PREAMBLE = r"""
\usepackage{xcolor}
\usepackage{tikz}
\usepackage[export]{adjustbox}
\definecolor{ecoblue}{HTML}{%(colour)s}
\titleclass{\part}{straight}
\titleclass{\chapter}{straight}
\titleformat{\part}[block]{\sffamily\large\bfseries\color{gray}}{}{0pt}{\MakeUppercase}
\titlespacing*{\part}{0pt}{1.2em}{0.2em}
\titleformat{\chapter}[block]{\sffamily\LARGE\bfseries\color{ecoblue}}{}{0pt}{}
\titlespacing*{\chapter}{0pt}{1.6em}{0.8em}
\titleformat{\section}[block]{\sffamily\large\bfseries}{}{0pt}{}
\titlespacing*{\section}{0pt}{1.2em}{0.4em}
\def\ecofigheight{%(figure_height)s}
\renewcommand{\sphinxincludegraphics}[2][]{%%
  \includegraphics[max width=\linewidth,max height=\ecofigheight\textheight,keepaspectratio]{#2}}
%% charts that need more of the page to stay legible (a notebook wraps their figure in a
%% container with this class): the heatmap of all indicators, the PCA biplots
\newenvironment{sphinxclassecoreport-figure-tall}{\def\ecofigheight{0.62}}{}
\newenvironment{sphinxclassecoreport-figure-square}{\def\ecofigheight{0.42}}{}
\renewcommand{\topfraction}{0.9}
\renewcommand{\bottomfraction}{0.8}
\renewcommand{\textfraction}{0.07}
\renewcommand{\floatpagefraction}{0.75}
\setcounter{topnumber}{3}
\setcounter{bottomnumber}{2}
\setcounter{totalnumber}{5}
\AtBeginEnvironment{longtable}{\footnotesize}
\AtBeginEnvironment{tabulary}{\footnotesize}
\AtBeginEnvironment{tabular}{\footnotesize}
\setcounter{tocdepth}{1}
\usepackage{multicol}
\usepackage{etoolbox}
%% the contents (indicator-level entries) in two columns of small type: one page, not three;
%% titled by the text contents-title (Sphinx sets \contentsname to the first toctree caption)
\makeatletter
\renewcommand{\tableofcontents}{%%
  \chapter*{%(contents)s}\markboth{%(contents)s}{%(contents)s}%%
  \begingroup\footnotesize\parskip\z@skip
  \renewcommand*\l@section{\@dottedtocline{1}{1em}{2em}}%%
  \begin{multicols}{2}
  \@starttoc{toc}%%
  \end{multicols}\endgroup}
\patchcmd{\l@chapter}{1.0em}{0.35em}{}{}
\patchcmd{\l@part}{2.25em}{0.8em}{}{}
\makeatother
\setlength{\floatsep}{8pt plus 2pt minus 2pt}
\setlength{\textfloatsep}{10pt plus 2pt minus 2pt}
\setlength{\intextsep}{8pt plus 2pt minus 2pt}
\setlength{\abovecaptionskip}{2pt}
%% captions "Figur 11. Text" (the number format ends in a full stop) in small type
\usepackage[labelsep=space,font=small,skip=3pt]{caption}
%% an indicator's trend statistics (chapters.TREND_FIGURES_CLASS) in small type
\newenvironment{sphinxclassecoreport-trend-figures}{\par\footnotesize}{\par}
%% reference lists (the sources) in small type (appendix.SMALL_PRINT_CLASS)
\newenvironment{sphinxclassecoreport-small-print}{\par\footnotesize}{\par}
\AtBeginDocument{\setcounter{secnumdepth}{0}}
\hypersetup{bookmarksdepth=2}
"""

#: The cover: a coloured band with the title, the län and the year; the edition date below
#: (the wording: ``cover-*`` in ``book/texts/pdf.md``).
COVER = r"""
\begin{titlepage}
\begin{tikzpicture}[remember picture,overlay]
\fill[ecoblue] (current page.north west) rectangle ([yshift=-12cm]current page.north east);
\node[anchor=north west,text width=15.5cm,text=white,font=\sffamily,align=left]
  at ([xshift=2.5cm,yshift=-3.2cm]current page.north west)
  {{\large %(kicker)s}\\[1.2em]
   {\fontsize{30}{36}\selectfont\bfseries\spaceskip=0.3em plus 0.1em\relax
    %(title)s}\\[1.2em]
   {\fontsize{40}{44}\selectfont %(year)s}};
\end{tikzpicture}
\vspace*{11cm}

{\sffamily\large %(edition)s\par}
\vspace{1em}
{\sffamily %(note)s\par}
\end{titlepage}
\setcounter{page}{1}
"""


def latex_text(value: str) -> str:
    """Text safe inside LaTeX (the cover's län name, the wording of ``book/texts/pdf.md``
    with its values filled in)."""
    replacements = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$",
                    "&": r"\&", "#": r"\#", "_": r"\_", "%": r"\%", "~": r"\~{}",
                    "^": r"\^{}"}
    return "".join(replacements.get(ch, ch) for ch in str(value))


#: The PDF's document information (title, author, subject, keywords, language), as
#: accessible documents need (PDF/UA, WCAG 2.1 via EN 301 549): a reader's window shows the
#: title, not the file name, and a screen reader reads the text as Swedish.
PDF_INFO = r"""
\hypersetup{pdftitle={%(title)s}, pdfauthor={%(author)s}, pdfsubject={%(subject)s},
  pdfkeywords={%(keywords)s}, pdflang={%(language)s}, pdfdisplaydoctitle=true,
  bookmarksopen=true, bookmarksopenlevel=1}
"""

#: The document's language (``pdflang``; BCP 47).
PDF_LANGUAGE = "sv-SE"


def pdf_info(title: str, author: str, region_name: str, year: str) -> str:
    """The ``\\hypersetup`` of the PDF's metadata (:data:`PDF_INFO`), text escaped."""
    return PDF_INFO % {
        "title": latex_text(title), "author": latex_text(author),
        "subject": latex_text(text("pdf", "subject", region=region_name, year=year)),
        "keywords": latex_text(text("pdf", "keywords", region=region_name, year=year)),
        "language": PDF_LANGUAGE,
    }


def latex_elements(substitutions: dict, edition: str, title: str = "",
                   author: str = "") -> dict:
    """Sphinx ``latex_elements`` for the designed PDF (cover, compact layout, metadata)."""
    region = substitutions.get("region_name", "")
    year = str(substitutions.get("year", ""))
    info = pdf_info(title or text("pdf", "default-title", region=region, year=year), author,
                    region, year)
    title_lines = latex_text(text("pdf", "cover-title", region=region)).splitlines()
    cover = COVER % {
        "kicker": latex_text(text("pdf", "cover-kicker")),
        "title": "\\\\[0.2em]".join(title_lines),  # a line of the text: a line on the cover
        "year": latex_text(substitutions.get("year", "")),
        "edition": latex_text(text("pdf", "cover-edition", edition=edition)),
        "note": latex_text(text("pdf", "cover-note",
                                version=substitutions.get("ecoreport_version", "")))}
    return {
        "papersize": "a4paper",
        "pointsize": "10pt",
        "extraclassoptions": "openany,oneside",
        "fncychap": "",
        "sphinxsetup": "hmargin={2cm,2cm}, vmargin={2cm,2.2cm}, InnerLinkColor={HTML}{%s}"
                       % COVER_COLOUR,
        "preamble": PREAMBLE % {"colour": COVER_COLOUR, "figure_height": FIGURE_HEIGHT,
                                "contents": latex_text(text("pdf", "contents-title"))} + info,
        "maketitle": cover,
        "figure_align": "htbp",
        # the contents right after the cover, before the first chapter
        "tableofcontents": r"\tableofcontents\clearpage",
    }


def write_pdf_toc(book: Path, leave_out: tuple[str, ...] = PRINT_LEAVE_OUT) -> Path:
    """The book's table of contents for print: ``_toc.yml`` without the web-only chapters."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        part["chapters"] = [c for c in part.get("chapters", [])
                            if c.get("file") not in leave_out]
    toc["parts"] = [p for p in toc.get("parts", []) if p.get("chapters")]
    target = book / "_toc_pdf.yml"
    target.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target


def write_pdf_config(book: Path, edition: str | None = None,
                     downloads_text: str | None = None) -> Path:
    """The book's config for print: code cells are left out, a designed cover and a compact
    layout (see :data:`PREAMBLE`); ``edition`` is the date on the cover (default today);
    ``downloads_text`` replaces the web book's download links (substitution ``downloads``)."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    if downloads_text is not None:
        config.setdefault("parse", {}).setdefault("myst_substitutions", {})[
            "downloads"] = downloads_text
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["nb_remove_code_source"] = True
    # Jupyter Book passes the title to LaTeX as markup, unescaped; the län's name is data.
    latex_documents = config.setdefault("latex", {}).setdefault("latex_documents", {})
    latex_documents["title"] = escape_latex(config.get("title", ""))
    substitutions = config.get("parse", {}).get("myst_substitutions", {})
    elements = sphinx_config.setdefault("latex_elements", {})
    elements.update(latex_elements(substitutions, edition or date.today().isoformat(),
                                   title=str(config.get("title", "")),
                                   author=str(config.get("author", ""))))
    target = book / "_config_pdf.yml"
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target


def build_pdf(book: Path, downloads_text: str | None = None) -> Path:
    """Build ``book``'s PDF (notebooks must already be executed); return the PDF's path.
    The chapters of :data:`PRINT_LEAVE_OUT` are left out."""
    check_latex()
    latex_dir = book / "_build" / "latex"
    shutil.rmtree(latex_dir, ignore_errors=True)
    run_jupyter_book(book, "latex", config=write_pdf_config(book, downloads_text=downloads_text),
                     toc=write_pdf_toc(book))
    sources = sorted(latex_dir.glob("*.tex"))
    if len(sources) != 1:
        raise EcoreportError(f"the LaTeX build of {book} wrote {len(sources)} .tex files, "
                             f"expected one (see {latex_dir})")
    tex = sources[0]
    toc = yaml.safe_load((book / "_toc_pdf.yml").read_text(encoding="utf-8"))
    tex.write_text(with_parts(tex.read_text(encoding="utf-8"), toc), encoding="utf-8")
    untagged = tex.read_text(encoding="utf-8")
    tag_document(tex)
    try:
        for first_pass in (True, False):
            run_xelatex(tex, pdf=not first_pass)
    except EcoreportError as exc:
        # LaTeX's tagging is still experimental in TeX Live 2022 and fails on some tables
        # ("Infinite glue shrinkage" in a longtable): the PDF is then made untagged
        logger.warning("the tagged PDF of %s failed, building it untagged: %s", book,
                       " ".join(str(exc).split())[:300])
        tex.write_text(untagged, encoding="utf-8")
        for stale in tex.parent.glob(tex.stem + ".*"):
            if stale.suffix in (".aux", ".toc", ".out", ".xdv", ".pdf"):
                stale.unlink()
        for first_pass in (True, False):
            run_xelatex(tex, pdf=not first_pass)
    pdf = tex.with_suffix(".pdf")
    if not pdf.is_file():
        raise EcoreportError(f"the LaTeX build of {book} produced no PDF (see {latex_dir})")
    return pdf


#: Put before ``\\documentclass``: LaTeX's tagging (``tagpdf``, the LaTeX Project's
#: accessible-PDF work) writes the structure tree, marks paragraphs, headings and links, and
#: sets the document language. Phase II is what TeX Live 2022's xelatex supports; it tags
#: the text and the outline but not figures and tables as such (see README, "PDF").
DOCUMENT_METADATA = r"\DocumentMetadata{lang=%s,testphase=phase-II}" % PDF_LANGUAGE
#: With tagging on, a paragraph skip that may shrink makes xelatex stop on long tables that
#: break across pages ("Infinite glue shrinkage found in box being split", seen on the
#: survey chapter's method table); a rigid \parskip (0 pt, as Sphinx's own) avoids it.
RIGID_PARSKIP = r"\AddToHook{begindocument}{\setlength{\parskip}{0pt plus 0pt}}"


def tag_document(tex: Path) -> None:
    """Make ``tex`` (Sphinx's LaTeX) produce a tagged PDF: :data:`DOCUMENT_METADATA` as its
    first line (kept if already there)."""
    text = tex.read_text(encoding="utf-8")
    if not text.startswith("\\DocumentMetadata"):
        tex.write_text(DOCUMENT_METADATA + "\n" + RIGID_PARSKIP + "\n" + text, encoding="utf-8")


def root_title() -> str:
    """The start page's title in print: its sections are one chapter, not chapters of their
    own (the text ``root-title``)."""
    return text("pdf", "root-title")


def _doc_label(doc: str) -> str:
    return "\\label{\\detokenize{%s::doc}}" % doc


def with_parts(text: str, toc: dict) -> str:
    """Sphinx's LaTeX as a report: the start page (the book's root, whose sections Sphinx
    makes chapters) becomes one chapter with its sections, and each part of the table of
    contents (Inledning, Dimensionerna, …) begins with ``\\part`` before its first
    chapter (Jupyter Book's own LaTeX extension would do this, but needs fonts Debian's
    TeX packages lack; see the module doc). Text without the expected labels is returned
    unchanged."""
    firsts = [(part["caption"], part["chapters"][0]["file"]) for part in toc.get("parts", [])
              if part.get("chapters")]
    root_label = _doc_label(toc.get("root", ""))
    start = text.find(root_label)
    first_part = min((text.find(_doc_label(doc)) for _, doc in firsts
                      if text.find(_doc_label(doc)) > start), default=-1)
    if start >= 0 and first_part > start:
        first_part = text.rfind("\\chapter{", start, first_part)
        end_of_label = text.index("\n", start) + 1
        root = text[end_of_label:first_part]
        if "\\section{" not in root and "\\chapter{" in root:
            text = (text[:end_of_label] + "\\chapter{%s}\n" % latex_text(root_title())
                    + root.replace("\\chapter{", "\\section{") + text[first_part:])
    for caption, doc in firsts:
        label = text.find(_doc_label(doc))
        chapter = text.rfind("\\chapter{", 0, label) if label >= 0 else -1
        if chapter >= 0:
            text = text[:chapter] + "\\part{%s}\n" % latex_text(caption) + text[chapter:]
    return text


def run_xelatex(tex: Path, *, pdf: bool) -> None:
    """One xelatex pass over ``tex`` in its folder; errors end the build with the log's
    first error."""
    cmd = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           *([] if pdf else ["--no-pdf"]), tex.name]
    proc = subprocess.run(cmd, cwd=tex.parent, capture_output=True, text=True,
                          errors="replace")
    if proc.returncode != 0:
        lines = proc.stdout.splitlines()
        first = next((i for i, line in enumerate(lines) if ":" in line and (
            line.startswith("./") or line.startswith("!"))), max(0, len(lines) - 20))
        raise EcoreportError(f"xelatex failed on {tex}:\n" + "\n".join(lines[first:first + 20]))
