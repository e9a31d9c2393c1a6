"""Inline SVG bar charts (stacked, right-to-left time axis) for the self-contained HTML report; no JS, no fonts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 1100, 240
# Room for the unit above the value axis (right side in RTL), the value axis itself and the labels below.
TOP, BOTTOM, SIDE = 36, 44, 48
MAX_LABELS = 14
_RTL_TEXT = re.compile(r"[\u0590-\u08ff]")


@dataclass
class Slot:
    """One position on the category axis: a label and stacked segments (value, css class, tooltip).
    A slot with `gap` set draws no bar, only a break mark saying how many days were skipped."""

    label: str
    segments: list[tuple[float, str, str]] = field(default_factory=list)
    gap: str | None = None

    @property
    def total(self) -> float:
        return sum(v for v, _, _ in self.segments)


def _ticks(top: float) -> list[float]:
    """0, then two or three round values up to at least `top`."""
    if top <= 0:
        return [0, 1]
    step = 10 ** math.floor(math.log10(top))
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 4:
            step *= factor
            break
    return [step * i for i in range(math.ceil(top / step) + 1)]


def _num(value: float) -> str:
    return f"{value:g}"


def _direction(text: str) -> str:
    """Dates and crawl numbers read left to right; Arabic labels (`1–6 ساعات`) keep the page's RTL."""
    return "" if _RTL_TEXT.search(text) else ' direction="ltr"'


def bar_chart(slots: list[Slot], label: str, unit: str = "", width: int = WIDTH, height: int = HEIGHT,
              empty: str = "") -> str:
    """An SVG bar chart, first slot on the right (Arabic reading order); every bar is a
    `<rect class="bar ...">` with a <title> tooltip, so tests and readers can count and read them.
    With nothing to draw, `empty` says so in the middle of the plot (blank axes say nothing)."""
    ticks = _ticks(max((s.total for s in slots), default=0))
    top = ticks[-1] or 1
    plot_w, plot_h = width - 2 * SIDE, height - TOP - BOTTOM
    slot_w = plot_w / max(len(slots), 1)
    bar_w = max(min(slot_w * 0.7, 48), 1.5)
    base = TOP + plot_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-label="{escape(label)}">']
    for tick in ticks:
        y = base - plot_h * tick / top
        out.append(f'<line class="grid" x1="{SIDE}" x2="{width - SIDE}" y1="{y:.1f}" y2="{y:.1f}"/>')
        # Value labels on the right, where an RTL reader starts.
        out.append(f'<text class="tick" x="{width - SIDE + 6}" y="{y + 4:.1f}" text-anchor="start" '
                   f'direction="ltr">{_num(tick)}</text>')
    every = max(1, math.ceil(len(slots) / MAX_LABELS))
    for i, slot in enumerate(slots):
        centre = width - SIDE - slot_w * (i + 0.5)
        if slot.gap:
            out.append(f'<g class="gap"><title>{escape(slot.gap)}</title><text x="{centre:.1f}" y="{base - 6:.1f}" '
                       f'text-anchor="middle">⋯</text></g>')
        y = base
        for value, css, tip in slot.segments:
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            out.append(f'<rect class="bar {escape(css)}" x="{centre - bar_w / 2:.1f}" y="{y:.1f}" '
                       f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(tip)}</title></rect>')
        if slot.total > 0 and len(slots) <= 40:
            out.append(f'<text class="value" x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                       f'direction="ltr">{_num(slot.total)}</text>')
        if i % every == 0 or slot.gap:
            out.append(f'<text class="label" x="{centre:.1f}" y="{base + 18:.1f}" text-anchor="middle"'
                       f'{_direction(slot.label)}>{escape(slot.label)}</text>')
    out.append(f'<line class="axis" x1="{SIDE}" x2="{width - SIDE}" y1="{base}" y2="{base}"/>')
    if empty and not any(s.total > 0 for s in slots):
        out.append(f'<text class="empty" x="{width / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle"'
                   f'{_direction(empty)}>{escape(empty)}</text>')
    if unit:
        # Above the top tick, flush with the right edge: beside it, "مقالات" ran into the number (مقالات8).
        out.append(f'<text class="unit" x="{width - 4}" y="{TOP - 16}" text-anchor="start" direction="rtl">'
                   f'{escape(unit)}</text>')
    out.append("</svg>")
    return "".join(out)


def legend(items: list[tuple[str, str]]) -> str:
    """Colour keys (css class, label) as HTML, matching the bars' classes."""
    return '<p class="legend">' + " ".join(
        f'<span><svg width="12" height="12" aria-hidden="true"><rect class="key {escape(css)}" width="12" '
        f'height="12"/></svg> {escape(text)}</span>' for css, text in items) + "</p>"
