"""Simple charts drawn on the server as inline SVG: horizontal bars and a line. WeasyPrint prints inline SVG, so
the PDF and the page show the same drawing with no script. Every label is escaped; text is set in the Noto CJK
fonts the print stylesheet uses. A value of None (a figure not shown) draws no bar or point, only its label."""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"
WIDTH = 640
BAR_HEIGHT = 18
GAP = 8
LABEL_WIDTH = 200
COLOUR = "#1f5fa8"


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, fill: str = "#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-family="{FONT}">{escape(text)}</text>'
    )


def _number(value: float) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _svg(height: float, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308  (every text is escaped above)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-svg" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[float | int | None], *, maximum: float | None = None
) -> SafeString:
    """One horizontal bar per label, its value written at its end; ``maximum`` fixes the scale (100 for an
    index), otherwise the largest value fills the width."""
    if len(labels) != len(values):
        raise ValueError("a bar chart needs one value per label")
    top = maximum or max([v for v in values if v is not None] or [0]) or 1
    span = WIDTH - LABEL_WIDTH - 60
    body = [_text(0, 16, title, size=14, fill="#111")]
    y = 28.0
    for label, value in zip(labels, values, strict=True):
        body.append(_text(LABEL_WIDTH - 6, y + BAR_HEIGHT - 5, _shortened(label), anchor="end"))
        if value is not None:
            length = max(0.0, min(1.0, value / top)) * span
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{COLOUR}"/>'
            )
            body.append(_text(LABEL_WIDTH + length + 4, y + BAR_HEIGHT - 5, _number(value)))
        else:
            body.append(_text(LABEL_WIDTH + 4, y + BAR_HEIGHT - 5, "—", fill="#777"))
        y += BAR_HEIGHT + GAP
    return _svg(y + 4, title, body)


def line_chart(
    title: str, labels: Sequence[str], values: Sequence[float | None], *, low: float = 0, high: float = 100
) -> SafeString:
    """A line through the values (from ``low`` to ``high``), broken where a value is None, one point per label."""
    if len(labels) != len(values):
        raise ValueError("a line chart needs one value per label")
    height, left, right, top, bottom = 220, 40, 20, 30, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1) if len(labels) > 1 else 0
    span = (high - low) or 1

    def x(i: int) -> float:
        return left + (i * step if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (min(max(v, low), high) - low) / span * plot_h

    body = [_text(0, 16, title, size=14, fill="#111")]
    for mark in (low, (low + high) / 2, high):
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(mark):.1f}" y2="{y(mark):.1f}" stroke="#ddd"/>')
        body.append(_text(left - 4, y(mark) + 4, _number(mark) if mark % 1 else str(int(mark)), anchor="end", size=10))
    segment: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        body.append(_text(x(i), height - bottom + 18, _shortened(label, 12), anchor="middle", size=11))
        if value is None:
            body.append(_polyline(segment))
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
        body.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{COLOUR}"/>')
        body.append(_text(x(i), y(value) - 8, _number(value), anchor="middle", size=11))
    body.append(_polyline(segment))
    return _svg(height, title, body)


def _polyline(points: list[str]) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline fill="none" stroke="{COLOUR}" stroke-width="2" points="{" ".join(points)}"/>'


def _shortened(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
