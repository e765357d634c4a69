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

logger = logging.getLogger(__name__)

BUNDLE_NAME = "vega-bundle.js"


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


def setup(app) -> dict:
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _drop_remote_scripts, priority=900)
    # Loaded in <head> so vegaEmbed exists before the charts' inline scripts run.
    app.add_js_file(BUNDLE_NAME, priority=200)
    app.add_css_file("ecoreport.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
