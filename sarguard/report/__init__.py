"""Reports: one :class:`~sarguard.report.model.Report`, many formats.

``render(report, fmt)`` is the single entry point; renderers are imported lazily so importing
``sarguard.report.model`` (e.g. from the policy pack) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sarguard.report.model import Report

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit", "markdown", "github", "html", "oscal")
_GUARDED = ("text", "markdown", "junit", "github", "html")  # read by people, in terminals and CI logs
_RENDERERS: dict[str, tuple[str, str]] = {
    fmt: (f"sarguard.report.render_{fmt}", f"render_{fmt}") for fmt in FORMATS
}


def render(report: Report, fmt: str, *, color: bool = False, verbose: bool = False,
           width: int | None = None, full_report: str | None = None) -> str:
    """Render ``report`` as ``fmt`` (one of :data:`FORMATS`); ``color``, ``verbose`` (list
    passes, show timings) and ``width`` affect ``text`` only.

    ``full_report`` names a file of the same run holding the complete report: a Markdown report
    cut at GitHub's comment limit points there. The formats people read in terminals and CI logs
    get a last pass (``guard_output``) so that no line of data can act as a workflow command.
    """
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    from sarguard.report.values import guard_output

    module, name = _RENDERERS[fmt]
    renderer = getattr(import_module(module), name)
    if fmt == "text":
        text = renderer(report, color=color, verbose=verbose, **({"width": width} if width else {}))
        return guard_output(text, fmt, color=color)
    if fmt == "markdown":
        return guard_output(renderer(report, full_report=full_report), fmt)
    if fmt in _GUARDED:
        return guard_output(renderer(report), fmt)
    return renderer(report)


__all__ = ["FORMATS", "render"]
