"""Sphinx extension: ship the Vega JavaScript bundle with the book (no CDN).

Listed under ``sphinx.extra_extensions`` in ``_config.yml``. At ``config-inited`` it writes
``vega-bundle.js`` (vl-convert's bundle of Vega, Vega-Lite and Vega-Embed, wrapped in an
IIFE so its top-level names do not clash with Sphinx's globals) into a folder under the
build directory, appends that folder to ``html_static_path`` and adds the script to every
page. The bundle is cached by vl-convert version, since creating it takes about 1.5 s.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ecoreport import __version__
from ecoreport.report.escape import escape_html

logger = logging.getLogger(__name__)

BUNDLE_NAME = "vega-bundle.js"

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


def translate_ui(html_text: str) -> str:
    """The theme's English interface strings in a page, in Swedish."""
    for english, swedish in UI_SWEDISH.items():
        html_text = html_text.replace(english, swedish)
    return html_text


def _translate_pages(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    copybutton = Path(app.outdir) / "_static" / "copybutton.js"
    if copybutton.is_file():
        script = copybutton.read_text(encoding="utf-8")
        if add_copybutton_swedish(script) != script:
            copybutton.write_text(add_copybutton_swedish(script), encoding="utf-8")
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        translated = translate_ui(text)
        if translated != text:
            page.write_text(translated, encoding="utf-8")


def write_vega_bundle(folder: Path) -> Path:
    """Write the IIFE-wrapped Vega bundle into ``folder`` (kept if already current)."""
    import vl_convert as vlc

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BUNDLE_NAME
    stamp = folder.parent / f".{BUNDLE_NAME}.version"  # outside the static folder
    version = getattr(vlc, "__version__", "unknown")
    if target.exists() and stamp.exists() and stamp.read_text() == version:
        return target
    bundle = vlc.javascript_bundle()
    target.write_text("(function () {\n" + bundle + "\n})();\n", encoding="utf-8")
    stamp.write_text(version)
    logger.info("wrote %s (%d bytes)", target, target.stat().st_size)
    return target


def _on_config_inited(app, config) -> None:
    folder = Path(app.outdir).parent / ".ecoreport-static"
    write_vega_bundle(folder)
    config.html_static_path = [*config.html_static_path, str(folder)]
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
    """A reference to an indicator section (``ind-<id>``) whose chapter is not in this book
    (a partial build with ``only``) becomes plain text instead of a broken link."""
    if node.get("refdomain") == "std" and node.get("reftype") == "ref" \
            and str(node.get("reftarget", "")).startswith("ind-"):
        return contnode
    return None


def setup(app) -> dict:
    app.connect("config-inited", _on_config_inited)
    # after the std domain has failed to resolve the label
    app.connect("missing-reference", _absent_indicator_section, priority=900)
    app.connect("html-page-context", _drop_remote_scripts, priority=900)
    app.connect("html-page-context", _download_menu, priority=900)
    app.connect("build-finished", _translate_pages)
    # Loaded in <head> so vegaEmbed exists before the charts' inline scripts run.
    app.add_js_file(BUNDLE_NAME, priority=200)
    app.add_css_file("ecoreport.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
