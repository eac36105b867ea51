"""A small PNG bar chart of a topic's weekly volume, drawn with Pillow.

Pillow rather than matplotlib: one bar chart does not justify ~40 MB of matplotlib + numpy and
their import time in a bot process; Pillow is a few MB and draws this in milliseconds. Labels use
DejaVu Sans when the system has it (Cyrillic topic names), else Pillow's bundled font.
Weeks that contain a spike are drawn in the alert colour and marked with their spike count.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.trend import Spike, week_start

WIDTH, HEIGHT = 720, 360
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 48, 16, 40, 44
_BACKGROUND = (255, 255, 255)
_AXIS = (90, 90, 90)
_GRID = (230, 230, 230)
_BAR = (52, 101, 164)
_SPIKE = (204, 51, 51)
_TEXT = (30, 30, 30)
_FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> Font:
    for name in _FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _nice_max(value: int) -> int:
    """A round axis maximum ≥ value: 1, 2, 5, 10, 20, 50…"""
    step = 1
    while True:
        for mult in (1, 2, 5):
            if step * mult >= value:
                return step * mult
        step *= 10


def render_trend_png(
    topic_label: str,
    weeks: Sequence[tuple[date, int]],
    spikes: Sequence[Spike] = (),
    *,
    caption: str | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> bytes:
    """A PNG: one bar per (week start, count), oldest left; spike weeks highlighted.

    The heading is `topic_label — caption`; the default caption "Σ N" is language-neutral.
    """
    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, small = _font(16), _font(11)
    if caption is None:
        caption = f"Σ {sum(count for _, count in weeks)}"
    draw.text((_MARGIN_LEFT, 10), f"{topic_label} — {caption}", _TEXT, title_font)

    left, top = _MARGIN_LEFT, _MARGIN_TOP
    right, bottom = width - _MARGIN_RIGHT, height - _MARGIN_BOTTOM
    top_value = _nice_max(max((count for _, count in weeks), default=0) or 1)
    for fraction in (0.0, 0.5, 1.0):
        y = bottom - (bottom - top) * fraction
        draw.line((left, y, right, y), _GRID if fraction else _AXIS)
        label = f"{top_value * fraction:g}"
        draw.text((left - 6, y), label, _TEXT, small, anchor="rm")

    spikes_per_week: dict[date, int] = {}
    for spike in spikes:
        key = week_start(spike.day)
        spikes_per_week[key] = spikes_per_week.get(key, 0) + 1
    slot = (right - left) / max(len(weeks), 1)
    label_every = max(1, round(len(weeks) / 8))
    for index, (start, count) in enumerate(weeks):
        x0 = left + slot * index + slot * 0.15
        x1 = left + slot * (index + 1) - slot * 0.15
        y = bottom - (bottom - top) * count / top_value
        spiking = start in spikes_per_week
        if count:
            draw.rectangle((x0, y, x1, bottom), fill=_SPIKE if spiking else _BAR)
        if spiking:
            draw.text(((x0 + x1) / 2, y - 3), "▲", _SPIKE, small, anchor="mb")
        if index % label_every == 0 or index == len(weeks) - 1:
            draw.text(((x0 + x1) / 2, bottom + 6), f"{start:%d.%m}", _TEXT, small, anchor="ma")
    if weeks:
        last = weeks[-1][0] + timedelta(days=6)
        span = f"{weeks[0][0]:%Y-%m-%d} … {last:%Y-%m-%d}"
        draw.text((right, height - 6), span, _AXIS, small, anchor="rd")

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
