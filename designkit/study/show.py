"""The one way designkit shows a chart in a notebook or a Voilà app: a live Vega view, offline.

    from designkit.study import show
    show.enable()                      # once, at the top of a notebook
    chart                              # any Altair chart now draws as a live view (tooltips, zoom)
    view = show.view(chart)            # or a JupyterChart whose selections Python reads

Altair's own `jupyter` renderer shows a chart as a `JupyterChart` (an anywidget); offline, its
JavaScript (Vega 6, Vega-Lite 6, vega-embed) is bundled by vl-convert instead of being fetched from
a CDN. JupyterLab 4.6 and Voilà 0.5 ship a Vega-Lite 5 renderer of their own, and Altair 6 writes
Vega-Lite 6: the bundled widget is the route that draws in both, with no network.

Bundling costs seconds, so the bundle is cached on disk per Altair and vl-convert version. With
`DESIGNKIT_STATIC_CHARTS=1` (set while a study is executed for its static HTML report) charts are
drawn to SVG in the kernel instead, because a report has no kernel to talk to.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from designkit.errors import MissingExtraError

log = logging.getLogger(__name__)

STATIC_ENV = "DESIGNKIT_STATIC_CHARTS"
THEME = "designkit"
# SVG marks (not canvas): crisp at any zoom, and a person's tools (and tests) can find each mark.
EMBED: dict[str, Any] = {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False,
                                                        "editor": False}}
# Labels and legends are never cut (a long policy name is shown whole, not at 180 px), and every
# mark has a tooltip.
# One font for measuring and drawing: a report's SVG is laid out by vl-convert with the first of
# these it finds and drawn by the reader's browser with the first it finds; DejaVu Sans (Debian's
# sans-serif) is the widest of them, so text laid out for it is never cut where a narrower one draws.
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
_CONFIG: dict[str, Any] = {
    "font": FONT,
    "mark": {"tooltip": True},  # every mark says what it shows on hover, tooltip encoding or not
    "axis": {"labelLimit": 0, "titleLimit": 0},
    "legend": {"labelLimit": 0, "titleLimit": 0, "orient": "right"},
    "header": {"labelLimit": 0, "titleLimit": 0},
    "title": {"anchor": "start", "limit": 0},
    "view": {"continuousWidth": 420, "continuousHeight": 260},
}


def _altair() -> Any:
    try:
        import altair as alt
    except ImportError as exc:
        raise MissingExtraError("altair", "study") from exc
    return alt


def cache_dir() -> Path:
    """Where the bundled chart script is kept between kernels."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "designkit" / "charts"


def _bundle_key() -> str:
    from importlib.metadata import version

    alt = _altair()
    from altair.jupyter import jupyter_chart

    source = jupyter_chart.load_js_src()
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    return f"altair-{alt.__version__}-vlc-{version('vl-convert-python')}-{digest}"


def offline_bundle() -> str:
    """JupyterChart's ES module with Vega, Vega-Lite and vega-embed inlined (no CDN imports)."""
    alt = _altair()
    target = cache_dir() / f"jupyterchart-{_bundle_key()}.js"
    if target.is_file():
        return target.read_text()
    try:
        import vl_convert  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError("vl-convert-python", "study") from exc
    chart_class = alt.JupyterChart
    was = chart_class._is_offline
    chart_class.enable_offline(True)
    bundle = str(chart_class._esm)
    if not was:
        chart_class.enable_offline(False)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle)
        tmp.replace(target)  # atomic: two kernels starting at once never read half a file
    except OSError as exc:  # a read-only home still works, only slower next time
        log.warning("could not cache the chart bundle in %s: %s", target.parent, exc)
    return bundle


def shared_module(bundle: str) -> str:
    """An ES module that compiles `bundle` once per page and lets it draw every chart.

    anywidget imports each widget's module on its own and gives a new model 2 s to be ready; the
    bundle is ~0.9 MB of Vega to compile, and on a busy 2-core machine the third chart of a page
    in Voilà passed that limit ("[anywidget] Failed to initialize model"). This module carries the
    bundle as a string (cheap to parse), has no `initialize`, and imports the bundle once, on the
    first chart's render; the other charts reuse it.
    """
    key = "__designkitCharts_" + hashlib.sha256(bundle.encode()).hexdigest()[:12]
    return (
        f"const shared = () => (globalThis[{json.dumps(key)}] ??= import(URL.createObjectURL(\n"
        "  new Blob([source], { type: 'text/javascript' }))));\n"
        "export default { async render(context) { return (await shared()).default.render(context); } };\n"
        f"const source = {json.dumps(bundle)};\n")


def use_offline_bundle() -> None:
    """Make every JupyterChart load its scripts from the cached offline bundle, compiled once a page."""
    alt = _altair()
    chart_class = alt.JupyterChart
    if not chart_class._is_offline:
        chart_class._esm = shared_module(offline_bundle())
        chart_class._is_offline = True


def static() -> bool:
    """Whether charts are drawn as SVG in the kernel (static reports) rather than as live views."""
    return os.environ.get(STATIC_ENV, "").strip() not in ("", "0", "false", "no")


def theme() -> dict[str, Any]:
    """designkit's chart defaults: labels and legends not cut, a tooltip on every mark."""
    return {"config": _CONFIG}


STATIC_RENDERER = "designkit_svg"


def alt_svg(spec: dict[str, Any]) -> str:
    """The chart drawn as SVG that says what it shows: its description (or title) as the SVG's
    accessible name and <title>, so a report's charts have alternative text."""
    import html

    try:
        import vl_convert as vlc
    except ImportError as exc:
        raise MissingExtraError("vl-convert-python", "study") from exc
    svg = str(vlc.vegalite_to_svg(spec))
    title = spec.get("title")
    words = str(spec.get("description") or (title.get("text") if isinstance(title, dict) else title) or "a chart")
    said = html.escape(words, quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{said}" ', 1).replace(
        ">", f"><title>{said}</title>", 1)


def _static_renderer(spec: dict[str, Any], **_: Any) -> dict[str, str]:
    return {"image/svg+xml": alt_svg(spec)}


def enable() -> str:
    """Show every Altair chart the designkit way from now on; returns the renderer's name."""
    alt = _altair()
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(lambda: theme())
    alt.theme.enable(THEME)
    if static():
        if STATIC_RENDERER not in alt.renderers.names():
            alt.renderers.register(STATIC_RENDERER, _static_renderer)
        alt.renderers.enable(STATIC_RENDERER)
        return "svg"
    use_offline_bundle()
    # The `jupyter` renderer would rebuild the bundle itself; with the class already offline it
    # returns at once.
    alt.renderers.enable("jupyter", offline=True, embed_options=EMBED)
    return "jupyter"


def view(chart: Any, *, debounce_ms: int = 10) -> Any:
    """A live view of `chart` (a JupyterChart) whose `.selections` and `.params` Python reads;
    in static mode the chart itself, drawn as SVG."""
    alt = _altair()
    enable()
    if static():
        return chart
    return alt.JupyterChart(chart, debounce_wait=debounce_ms, embed_options=EMBED)
