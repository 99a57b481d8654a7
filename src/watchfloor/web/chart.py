"""The protectee page's timeline: each thread's specificity and credibility over time, drawn
as an inline SVG on the server (no charting script in the browser)."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 720, 260, 40
COLOURS = ("#1f5fa8", "#b3361e", "#2e7d32", "#7b3fa0", "#a86b00", "#00707a", "#5d4037", "#444")


def _points(series: list[dict[str, Any]]) -> list[tuple[date, float, int]]:
    out = []
    for p in series:
        try:
            out.append(
                (date.fromisoformat(p["day"]), float(p["specificity"]), int(p["credibility"]))
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


def timeline_svg(threads: list[tuple[str, list[dict[str, Any]]]]) -> str:
    """Specificity (0..1, a line per thread) and credibility (Admiralty 1-6, 1 best, as the
    number on each point) against the day. Empty string when there is nothing to draw."""
    drawn = [(label, pts) for label, series in threads if (pts := _points(series))]
    if not drawn:
        return ""
    days = [d for _, pts in drawn for d, _, _ in pts]
    first, last = min(days), max(days)
    if first == last:  # one day: centre it in a fortnight rather than pin it to the axis
        first, last = first - timedelta(days=7), last + timedelta(days=7)
    span = (last - first).days

    def x(day: date) -> float:
        return PAD + (day - first).days / span * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD - value * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(drawn)}"'
        ' role="img" aria-labelledby="chart-title" class="chart">',
        '<title id="chart-title">Specificity of each thread over time; the number on each '
        "point is its credibility (1 confirmed to 6 cannot be judged)</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="axis"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" class="axis"/>',
        f'<text x="{PAD}" y="{HEIGHT - PAD + 16}" class="tick">{first.isoformat()}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD + 16}" class="tick" text-anchor="end">'
        f"{last.isoformat()}</text>",
        f'<text x="{PAD - 6}" y="{y(1) + 4}" class="tick" text-anchor="end">1</text>',
        f'<text x="{PAD - 6}" y="{y(0) + 4}" class="tick" text-anchor="end">0</text>',
        f'<text x="{PAD + 4}" y="{PAD - 10}" class="tick">specificity</text>',
    ]
    for i, (label, pts) in enumerate(drawn):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{x(d):.1f},{y(s):.1f}" for d, s, _ in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for d, s, c in pts:
            parts.append(
                f'<circle cx="{x(d):.1f}" cy="{y(s):.1f}" r="7" fill="{colour}"/>'
                f'<text x="{x(d):.1f}" y="{y(s) + 4:.1f}" class="cred" '
                f'text-anchor="middle">{c}</text>'
            )
        ly = HEIGHT + 20 * i + 4
        parts.append(
            f'<rect x="{PAD}" y="{ly}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{PAD + 18}" y="{ly + 11}" class="legend">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
