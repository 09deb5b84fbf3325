"""The statistics' charts as SVG drawn on the server (pygal), inlined in the
page: the one home of their look (palette, fonts, sizes) and of what makes
them safe and accessible.

Each chart is made from numbers and labels our code gives (agency names
from the catalogue, our own translated words): the labels are text nodes
and attributes written by the XML serialiser, so they are escaped. pygal
puts a script in every chart (its tooltips' configuration, plus
``<script href>`` for each ``js`` URL): we give no URL and take every
``script``, ``foreignObject``, comment, ``on…`` attribute and external
link out of the tree before it is written, so the page loads nothing and
runs nothing (it works without JavaScript; a Content-Security-Policy
without ``unsafe-inline`` scripts holds).

Accessibility (WCAG 2.1 AA): the ``<svg>`` has ``role="img"`` and is
labelled by its own ``<title>`` and ``<desc>`` (``aria-labelledby``); a
data table beside every chart on the page is the full, accessible source
of its numbers. The colours are at least 3:1 against white (1.4.11,
graphical objects) and the text at least 4.5:1 (1.4.3), checked by
``contrast`` in the tests. The charts scale (a ``viewBox``, no width or
height: the page's CSS sets ``width: 100%``) and their text is large
enough to read at 360 px.

Shape: every function returns a ``Chart`` (``svg``: markupsafe.Markup,
``id``); the values are counts (int) or rates (float 0–1, written
``95,4 %``).
"""
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache, wraps

import pygal
from markupsafe import Markup
from pygal.style import Style

from ..i18n.formatting import format_number

#: the site's colours that pass 3:1 on white (and 4.5:1, so text may use them too):
#: blue (link) 8.9:1, green 7.5:1, amber 5.8:1, deep red (brand) 9.7:1, purple 9.9:1, teal 6.0:1, grey 7.0:1
PALETTE = ("#0b4a8b", "#11622c", "#a64b00", "#8b0d1f", "#5b2a86", "#0f6e6e", "#595959")
#: the meaning carried by colour, kept the same in every chart (and always also said in words)
EARLY, ON_TIME, LATE = "#11622c", "#0b4a8b", "#8b0d1f"
INK, MUTED = "#1a1a1a", "#4a4a4a"
FONT = '"Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'
#: the drawing's width in its own units (it is scaled to the page's width)
WIDTH = 400

STYLE = dict(
    background="#ffffff", plot_background="#ffffff", foreground=INK, foreground_strong=INK,
    foreground_subtle=MUTED, guide_stroke_color="#c9c9c9", major_guide_stroke_color="#c9c9c9",
    opacity="1", opacity_hover="1", stroke_opacity="1", stroke_opacity_hover="1", transition="none",
    font_family=FONT, label_font_family=FONT, major_label_font_family=FONT, value_font_family=FONT,
    value_label_font_family=FONT, tooltip_font_family=FONT, title_font_family=FONT, legend_font_family=FONT,
    no_data_font_family=FONT, label_font_size=16, major_label_font_size=16, legend_font_size=18,
    value_font_size=17, value_label_font_size=16, tooltip_font_size=16, no_data_font_size=22,
    value_colors=(INK,), value_background="rgba(255,255,255,0)",
)
#: what may never be left in a chart
_DROPPED = {"script", "foreignObject", "iframe", "object", "embed", "image", "use", "a"}
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,60}")


def _luminance(colour):
    value = colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second="#ffffff"):
    """The WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def format_rate(value):
    """A share from 0 to 1 as a Vietnamese percentage, one decimal: 0.954 → ``95,4 %``."""
    if value is None:
        return ""
    return f"{format_number(round(value * 100, 1))} %"


def format_count(value):
    """A count with Vietnamese thousands: 1234 → ``1.234``."""
    return format_number(value) if value is not None else ""


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart: ``id`` (its element id), ``svg`` (Markup, safe to put in a page)."""

    id: str
    svg: Markup

    def __html__(self):
        return self.svg


def _config(colours, **options):
    style = Style(colors=tuple(colours), **STYLE)
    # the numbers are in the labels, not printed on the shapes (dark text on a dark bar would fail 1.4.3)
    config = dict(style=style, js=[], disable_xml_declaration=True, explicit_size=False, width=WIDTH,
                  show_y_guides=True, print_values=False, margin=12, margin_right=36, spacing=8, truncate_label=-1,
                  truncate_legend=-1, tooltip_border_radius=0)
    config.update(options)
    return config


def _clean(element):
    """Take out of ``element``'s tree what may run, load or say something we did not write."""
    for child in list(element):
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None or tag.rsplit("}", 1)[-1] in _DROPPED:  # comments and processing instructions too
            element.remove(child)
            continue
        for name in list(child.attrib):
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and not child.attrib[name].startswith("#")):
                del child.attrib[name]
        _clean(child)


def _finish(chart, chart_id, title, description):
    """The rendered ``chart`` as a Chart: no script, stable ids, role img, our title and description."""
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"a chart id must be a plain identifier, not {chart_id!r}")
    root = chart.render_tree()
    _clean(root)
    for name in list(root.attrib):
        if name.rsplit("}", 1)[-1].lower().startswith("on"):
            del root.attrib[name]
    for old in root.findall("title") + root.findall("desc"):
        root.remove(old)
    title_node = ET.Element("title", id=f"{chart_id}-title")
    title_node.text = title
    desc_node = ET.Element("desc", id=f"{chart_id}-desc")
    desc_node.text = description
    root.insert(0, desc_node)
    root.insert(0, title_node)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("focusable", "false")
    root.set("preserveAspectRatio", "xMidYMid meet")
    root.set("class", "pygal-chart chart-svg")
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    # pygal names the chart and prefixes its CSS with a random id: ours is stable
    text = text.replace(f"chart-{chart.uuid}", chart_id)
    return Chart(id=chart_id, svg=Markup(text))


def _remembered(draw):
    """``draw`` with its last drawings kept: the same words and numbers
    give the same SVG, and pygal takes tens of milliseconds a chart (the
    public page asks for the same few again and again)."""
    @lru_cache(maxsize=256)
    def kept(chart_id, title, description, items, no_data):
        return draw(chart_id, title, description, items, no_data)

    @wraps(draw)
    def remembered(chart_id, title, description, items, no_data):
        return kept(chart_id, str(title), str(description), tuple(tuple(item) for item in items), str(no_data))

    return remembered


def _height(count, per_row=44, base=90):
    return base + per_row * max(count, 1)


@_remembered
def bar_chart(chart_id, title, description, items, no_data):
    """Vertical bars of counts: ``items`` [(label, count, colour)], each
    labelled "label: count"; ``no_data`` is written when every count is 0."""
    labels = [f"{label}: {format_count(count)}" for label, count, _colour in items]
    chart = pygal.Bar(**_config([colour for _label, _count, colour in items], height=340, show_legend=False,
                                no_data_text=no_data, value_formatter=format_count, min_scale=1,
                                x_label_rotation=0))
    chart.x_labels = labels
    if any(count for _label, count, _colour in items):
        # one series per bar, so each bar takes its own colour and names itself
        for index, (label, count, _colour) in enumerate(items):
            chart.add(label, [count if position == index else None for position in range(len(items))])
    return _finish(chart, chart_id, title, description)


@_remembered
def donut_chart(chart_id, title, description, items, no_data):
    """A ring of the parts of a whole: ``items`` [(label, count)], the legend
    under it with each part's count."""
    total = sum(count for _label, count in items)
    chart = pygal.Pie(**_config(PALETTE, height=420, inner_radius=0.5, legend_at_bottom=True,
                                legend_at_bottom_columns=1, no_data_text=no_data))
    if total:
        for label, count in items:
            share = format_rate(count / total)
            chart.add(f"{label}: {format_count(count)} ({share})", [count])
    return _finish(chart, chart_id, title, description)


@_remembered
def ranking_chart(chart_id, title, description, items, no_data):
    """Horizontal bars of rates, best first as given: ``items`` [(label, rate
    0–1 or None)], each labelled "label: 95,4 %"; a None (nothing to divide) has no bar."""
    shown = [(label, rate) for label, rate in items if rate is not None]
    chart = pygal.HorizontalBar(**_config((ON_TIME,), width=WIDTH + 120, height=_height(len(shown), 34),
                                          show_legend=False,
                                          range=(0, 1), value_formatter=format_rate, no_data_text=no_data))
    # pygal draws the first label at the bottom: reversed, the best comes first from the top
    chart.x_labels = [f"{label}: {format_rate(rate)}" for label, rate in reversed(shown)]
    if shown:  # (pygal cannot place fixed labels on a chart without data)
        chart.config.y_labels = [0, 0.25, 0.5, 0.75, 1]
        chart.add(title, [rate for _label, rate in reversed(shown)])
    return _finish(chart, chart_id, title, description)
