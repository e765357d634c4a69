"""Sphinx extension: ship the Vega JavaScript bundle with the book (no CDN).

Listed under ``sphinx.extra_extensions`` in ``_config.yml``. In HTML builds it provides
``vega-bundle.js`` (vl-convert's bundle of Vega, Vega-Lite and Vega-Embed, wrapped in an
IIFE so its top-level names do not clash with Sphinx's globals), appends its folder to
``html_static_path`` and adds the script to every page. Creating the bundle takes 2–3 s of
CPU, so it is made once per vl-convert version: in ``$ECOREPORT_CACHE_DIR/vega/<version>/``
when the variable is set (``ecoreport build`` sets it to ``<out>/.cache``, so every book and
the landing page of a build share one bundle), else in a folder under the build directory.
A missing cached bundle is made by a separate process that ``ecoreport build`` starts with
its kernels (else Sphinx starts it), and is waited for when the static files are copied.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ecoreport import __version__
from ecoreport.locks import FileLock
from ecoreport.publishing.checksums import checked_bytes, write_checked
from ecoreport.publishing.lifeline import die_with_parent
from ecoreport.markup.escape import escape_html

logger = logging.getLogger(__name__)

BUNDLE_NAME = "vega-bundle.js"
#: Where built bundles are kept between builds (see the module doc).
CACHE_DIR_ENV = "ECOREPORT_CACHE_DIR"

#: The theme's English interface text → Swedish. pydata-sphinx-theme and sphinx-book-theme
#: ship no Swedish catalogue and hard-code some labels, so the finished pages are rewritten;
#: each key is a whole attribute or element text, so nothing else can match.
UI_SWEDISH: dict[str, str] = {
    'placeholder="Search this book..."': 'placeholder="Sök i rapporten …"',
    'aria-label="Search this book..."': 'aria-label="Sök i rapporten"',
    'aria-label="Color mode"': 'aria-label="Färgläge"',
    'data-bs-title="Color mode"': 'data-bs-title="Färgläge"',
    'title="Color mode"': 'title="Färgläge"',
    'title="Light"': 'title="Ljust"',
    'title="Dark"': 'title="Mörkt"',
    'title="System Settings"': 'title="Som systemet"',
    'aria-label="Main"': 'aria-label="Huvudmeny"',
    'aria-label="Site navigation"': 'aria-label="Innehållsförteckning"',
    'aria-label="Version warning"': 'aria-label="Versionsvarning"',
    'title="Link to this heading"': 'title="Länk till rubriken"',
    'title="Link to this image"': 'title="Länk till bilden"',
    'title="Link to this table"': 'title="Länk till tabellen"',
    'title="Toggle primary sidebar"': 'title="Visa eller dölj innehållsförteckningen"',
    'title="Toggle secondary sidebar"': 'title="Visa eller dölj sidans innehåll"',
    'title="next page"': 'title="nästa sida"',
    'title="previous page"': 'title="föregående sida"',
    'aria-label="Section Navigation"': 'aria-label="Avsnitt"',
    'aria-label="Page"': 'aria-label="Sidan"',
    ">Skip to main content<": ">Hoppa till innehållet<",
    "Back to top": "Till början",
    ">Contents<": ">Innehåll<",
    "> Contents\n": "> Innehåll\n",
    'aria-label="On this page"': 'aria-label="På den här sidan"',
    "Search Results": "Sökresultat",
    ">By ecoreport": ">Av ecoreport",
    "Please activate JavaScript to enable the search functionality.":
        "Aktivera JavaScript för att kunna söka.",
}

#: sphinx-copybutton has no Swedish messages; its script picks them by the page's language.
COPYBUTTON_SWEDISH = ("  'sv': {\n    'copy': 'Kopiera',\n"
                      "    'copy_to_clipboard': 'Kopiera till urklipp',\n"
                      "    'copy_success': 'Kopierat!',\n"
                      "    'copy_failure': 'Kunde inte kopiera',\n  },\n")


def add_copybutton_swedish(script: str) -> str:
    """sphinx-copybutton's script with Swedish messages (unchanged if already there)."""
    if "'sv':" in script or "const messages = {\n" not in script:
        return script
    return script.replace("const messages = {\n", "const messages = {\n" + COPYBUTTON_SWEDISH, 1)


#: Pages written in English (the ``<html lang>`` of their page; the theme's interface
#: around them stays Swedish and is marked so).
ENGLISH_PAGES = frozenset({"notebooks/summary_en"})

#: Accessibility repairs of the theme's markup (WCAG 2.1 AA, checked with axe-core by
#: tests/integration/test_accessibility.py), applied after the translation:
#: - the search buttons are named by their visible text ("Sök", "Ctrl+K"), not by a
#:   shorter aria-label (label-content-name-mismatch);
#: - the colour-mode button's icons are decorative: their titles ("Ljust", …) are not
#:   part of its name "Färgläge";
#: - the primary sidebar (the book's title, search and contents) is a navigation landmark,
#:   so no content is outside a landmark (region).
UI_ACCESSIBLE: dict[str, str] = {
    'search-button__button pst-js-only" title="Sök" aria-label="Sök"':
        'search-button__button pst-js-only" title="Sök (Ctrl+K)"',
    'data-mode="light" title="Ljust"': 'data-mode="light" aria-hidden="true"',
    'data-mode="dark"  title="Mörkt"': 'data-mode="dark"  aria-hidden="true"',
    'data-mode="auto"  title="Som systemet"': 'data-mode="auto"  aria-hidden="true"',
    '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">':
        '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar" '
        'role="navigation" aria-label="Rapporten">',
}

#: On an English page, the theme's (Swedish) parts keep lang="sv".
SWEDISH_CHROME = ('<header id="pst-header"', '<div id="pst-primary-sidebar"',
                  '<div class="bd-sidebar-secondary', '<footer class="prev-next-footer',
                  '<footer class="bd-footer"')


def translate_ui(html_text: str) -> str:
    """The theme's English interface strings in a page, in Swedish, with the markup
    repairs of :data:`UI_ACCESSIBLE`; on a page in another language (``<html lang="en">``)
    the interface is marked Swedish."""
    for english, swedish in UI_SWEDISH.items():
        html_text = html_text.replace(english, swedish)
    for before, after in UI_ACCESSIBLE.items():
        html_text = html_text.replace(before, after)
    if re.search(r'<html[^>]* lang="(?!sv")', html_text[:2000]):
        for start in SWEDISH_CHROME:
            html_text = html_text.replace(start, start + ' lang="sv"')
    return html_text


def _page_language(app, pagename, templatename, context, doctree) -> None:
    if pagename in ENGLISH_PAGES:
        context["language"] = "en"


def _on_build_finished(app, exception) -> None:
    process = getattr(app, "ecoreport_bundle_process", None)
    if process is not None:  # a build that ended early: the bundle is not needed here
        process.wait()
    if exception is not None or app.builder.format != "html":
        return
    copybutton = Path(app.outdir) / "_static" / "copybutton.js"
    if copybutton.is_file():
        script = copybutton.read_text(encoding="utf-8")
        if add_copybutton_swedish(script) != script:
            copybutton.write_text(add_copybutton_swedish(script), encoding="utf-8")
    drop_source_maps(Path(app.outdir) / "_static")
    drop_translation_catalogues(Path(app.outdir) / "_static")
    _translate_pages(app)


def _translate_pages(app) -> None:
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        translated = translate_ui(text)
        if translated != text:
            page.write_text(translated, encoding="utf-8")


def _bundle_text() -> str:
    import vl_convert as vlc

    return "(function () {\n" + vlc.javascript_bundle() + "\n})();\n"


def _vl_convert_version() -> str:
    import vl_convert as vlc

    return getattr(vlc, "__version__", "unknown")


def _cached_bundle_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / "vega" / _vl_convert_version() / BUNDLE_NAME


def cached_vega_bundle(cache_dir: Path) -> Path:
    """The bundle of the installed vl-convert in ``cache_dir/vega/<version>/`` (a folder
    holding only the bundle, so it can serve as a static path), made when missing; a
    process making it holds a lock, and the others wait for it."""
    target = _cached_bundle_path(cache_dir)
    checksum = _bundle_checksum_path(target)
    if checked_bytes(target, checksum) is not None:
        return target
    with FileLock(target.parent.parent / f".{target.parent.name}.lock",
                  f"the Vega bundle in {target.parent} is being made by process {{pid}}",
                  wait=300):
        if checked_bytes(target, checksum) is None:  # missing, or damaged (discarded)
            # renamed into place with its checksum: a reader never uses half a bundle
            write_checked(target, _bundle_text().encode("utf-8"), checksum)
            logger.info("wrote %s (%d bytes)", target, target.stat().st_size)
    return target


def _bundle_checksum_path(bundle: Path) -> Path:
    """Outside the bundle's folder, which is a static path of the book (copied whole)."""
    return bundle.parent.parent / f"{bundle.parent.name}.sha256"


#: The last line of a minified script or style sheet that names its source map.
_SOURCE_MAP_COMMENT = re.compile(r"\n?(//# sourceMappingURL=\S+\.map|/\*# sourceMappingURL=\S+\.map ?\*/)\s*\Z")


def drop_source_maps(static_dir: Path) -> int:
    """Remove the themes' source maps (debugging aids for their minified files, about a
    quarter of a book's size) and the comments naming them; return how many were removed."""
    maps = sorted(Path(static_dir).rglob("*.map"))
    for path in maps:
        path.unlink()
    for path in [*Path(static_dir).rglob("*.js"), *Path(static_dir).rglob("*.css")]:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        stripped = _SOURCE_MAP_COMMENT.sub("\n", text)
        if stripped != text:
            path.write_text(stripped, encoding="utf-8", errors="surrogateescape")
    return len(maps)


def drop_translation_catalogues(static_dir: Path) -> int:
    """Remove the gettext catalogues (``locales/<lang>/LC_MESSAGES/*.po|mo``) a theme ships
    in its static folder: Sphinx reads them when it builds, a browser never does. Returns
    how many files were removed."""
    locales = Path(static_dir) / "locales"
    files = sorted(p for p in locales.rglob("*")
                   if p.is_file() and p.parent.name == "LC_MESSAGES"
                   and p.suffix in (".po", ".mo")) if locales.is_dir() else []
    for path in files:
        path.unlink()
    for folder in sorted((p for p in locales.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if locales.is_dir() and not any(locales.iterdir()):
        locales.rmdir()
    return len(files)


def write_vega_bundle(folder: Path, cache_dir: Path | None = None) -> Path:
    """Write the IIFE-wrapped Vega bundle into ``folder`` (kept if already current); with
    ``cache_dir``, copied from the bundle cached there (see :func:`cached_vega_bundle`)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BUNDLE_NAME
    if cache_dir is not None:
        shutil.copyfile(cached_vega_bundle(cache_dir), target)
        return target
    stamp = folder.parent / f".{BUNDLE_NAME}.version"  # outside the static folder
    version = _vl_convert_version()
    if target.exists() and stamp.exists() and stamp.read_text() == version:
        return target
    target.write_text(_bundle_text(), encoding="utf-8")
    stamp.write_text(version)
    logger.info("wrote %s (%d bytes)", target, target.stat().st_size)
    return target


def start_vega_bundle(cache_dir: Path, niceness: int = 0) -> subprocess.Popen | None:
    """Start making the cached bundle in a process of its own (``niceness`` lowers its
    priority), when it is missing (the build does so early; Sphinx waits for it, see
    :func:`cached_vega_bundle`)."""
    bundle = _cached_bundle_path(Path(cache_dir))
    if bundle.is_file() and _bundle_checksum_path(bundle).is_file():
        return None
    def prepare() -> None:  # in the child: lower priority, end with the parent
        if niceness:
            os.nice(niceness)
        die_with_parent(signal.SIGKILL)

    return subprocess.Popen([sys.executable, "-m", __name__, str(cache_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=prepare)


def _start_vega_bundle(app, config) -> None:
    """A missing cached bundle is started in a process of its own now (see module doc)."""
    cache_dir = os.environ.get(CACHE_DIR_ENV)
    if cache_dir:
        app.ecoreport_bundle_process = start_vega_bundle(Path(cache_dir))


def _add_vega_bundle(app) -> None:
    """HTML builds only: the bundle's folder becomes a static path (copied into ``_static``
    after the pages are read, see :func:`_wait_for_vega_bundle`)."""
    if app.builder.format != "html":
        return
    cache_dir = os.environ.get(CACHE_DIR_ENV)
    if cache_dir:
        folder = _cached_bundle_path(Path(cache_dir)).parent
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(app.outdir).parent / ".ecoreport-static"
        write_vega_bundle(folder)
    app.config.html_static_path = [*app.config.html_static_path, str(folder)]


def _wait_for_vega_bundle(app, env=None) -> None:
    """Before the static files are copied (and when the build ends): the bundle is there,
    and the process making it has ended."""
    process = getattr(app, "ecoreport_bundle_process", None)
    if process is not None:
        process.wait()
        app.ecoreport_bundle_process = None
    cache_dir = os.environ.get(CACHE_DIR_ENV)
    if cache_dir and app.builder.format == "html":
        cached_vega_bundle(Path(cache_dir))  # made here if that process failed


def _on_config_inited(app, config) -> None:
    # The theme writes the title into the navbar unescaped (``{{ docstitle }}``), while
    # <title> escapes it; the title holds the län's name, which is data, so the navbar gets
    # an escaped copy as the logo text.
    options = dict(config.html_theme_options or {})
    logo = dict(options.get("logo") or {})
    if config.html_title and not logo.get("text"):
        logo["text"] = escape_html(config.html_title)
    options["logo"] = logo
    config.html_theme_options = options


def _is_remote(script) -> bool:
    """A script that loads or names a remote URL (sphinx-thebe's CDN constant, say)."""
    filename = str(getattr(script, "filename", script) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return filename.startswith(("http://", "https://", "//")) or "https://" in body


def _drop_remote_scripts(app, pagename, templatename, context, doctree) -> None:
    # Jupyter Book always loads sphinx-thebe, which names a CDN; the book must work offline
    # and reference no CDN, and it has no live-code buttons anyway.
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_remote(s)]


#: The top bar's download menu: the report's own files (``downloads/`` of the report
#: folder, linked from the pages with ``{download}``) instead of the theme's page-source
#: links (the book publishes no page sources).
DOWNLOAD_BUTTONS = (
    (".pdf", "Rapporten som PDF", "fas fa-file-pdf"),
    (".xlsx", "Alla data (Excel)", "fas fa-file-excel"),
)


def report_download_buttons(dlfiles, pathto) -> list[dict]:
    """Header buttons for the files under ``downloads/`` that the pages link to."""
    buttons = []
    for suffix, text, icon in DOWNLOAD_BUTTONS:
        for filename, (_, dest) in sorted(dlfiles.items()):
            if filename.startswith("downloads/") and filename.endswith(suffix):
                buttons.append({"type": "link", "url": pathto(f"_downloads/{dest}", 1),
                                "text": text, "tooltip": text, "icon": icon,
                                "label": f"download-report{suffix.replace('.', '-')}"})
                break
    return buttons


def _download_menu(app, pagename, templatename, context, doctree) -> None:
    for group in context.get("header_buttons") or []:
        if group.get("label") != "download-buttons":
            continue
        buttons = report_download_buttons(getattr(app.env, "dlfiles", {}), context["pathto"])
        buttons.append({"type": "javascript", "javascript": "window.print()",
                        "text": "Skriv ut sidan", "tooltip": "Skriv ut sidan",
                        "icon": "fas fa-print", "label": "download-pdf-button"})
        group["buttons"] = buttons
        group["tooltip"] = "Ladda ner"


def _absent_indicator_section(app, env, node, contnode):
    """A reference to an indicator section (``ind-<id>``) or to the survey chapter
    (``enkat-…``) whose chapter is not in this book (a partial build with ``only``)
    becomes plain text instead of a broken link."""
    if node.get("refdomain") == "std" and node.get("reftype") == "ref" \
            and str(node.get("reftarget", "")).startswith(("ind-", "enkat-")):
        return contnode
    return None


def setup(app) -> dict:
    app.connect("config-inited", _on_config_inited)
    app.connect("config-inited", _start_vega_bundle)
    app.connect("builder-inited", _add_vega_bundle)
    app.connect("env-updated", _wait_for_vega_bundle)
    # after the std domain has failed to resolve the label
    app.connect("missing-reference", _absent_indicator_section, priority=900)
    app.connect("html-page-context", _drop_remote_scripts, priority=900)
    app.connect("html-page-context", _download_menu, priority=900)
    app.connect("html-page-context", _page_language, priority=900)
    app.connect("build-finished", _on_build_finished)
    # Loaded in <head> so vegaEmbed exists before the charts' inline scripts run.
    app.add_js_file(BUNDLE_NAME, priority=200)
    app.add_css_file("ecoreport.css")
    app.add_js_file("ecoreport.js")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # python -m ecoreport.publishing.sphinxext CACHE_DIR
    cached_vega_bundle(Path(sys.argv[1]))
