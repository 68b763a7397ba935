"""Bar charts as inline SVG markup, for the strategy report and the officer's report page.

Drawn on the server as plain SVG because the pages allow no scripts (strict CSP, no JavaScript libraries) and
the HTML report must work when emailed or printed. Only presentation attributes are used (`fill`,
`font-size`), never `style`, so a `style-src 'self'` policy does not strip the colours. Every label is
escaped: group names come from residents' words. Each chart has a title and a description for screen
readers; the same figures are always in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

COLOURS = ("#1d70b8", "#b1b4b6", "#f47738", "#00703c")
"""This period in blue, the previous period in grey (GOV.UK palette); further series in orange and green."""
WIDTH = 640
LABEL_WIDTH = 250
MAX_LABEL_CHARS = 36
BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 14
TOP = 12
LEGEND_HEIGHT = 26
VALUE_SPACE = 48


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(
    title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], chart_id: str
) -> Markup:
    """Horizontal bars: one group per category, one bar per series (e.g. this period and the previous one),
    each bar labelled with its value. `chart_id` makes the title and description ids unique on the page."""
    if not categories or not series:
        return Markup("")
    if any(len(values) != len(categories) for _, values in series):
        raise ValueError("every series needs one value per category")
    peak = max(1, *(max(values, default=0) for _, values in series))
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    group_height = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
    height = TOP + legend + len(categories) * (group_height + GROUP_GAP)
    plot_width = WIDTH - LABEL_WIDTH - VALUE_SPACE
    described = "; ".join(
        f"{category}: " + ", ".join(f"{name} {values[index]}" for name, values in series)
        for index, category in enumerate(categories)
    )
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>',
    ]
    if legend:
        x = LABEL_WIDTH
        for number, (name, _) in enumerate(series):
            colour = COLOURS[number % len(COLOURS)]
            parts.append(f'<rect x="{x}" y="{TOP - 8}" width="14" height="14" fill="{colour}"/>')
            parts.append(
                f'<text x="{x + 20}" y="{TOP + 4}" font-size="13" fill="#0b0c0c">{escape(name)}</text>'
            )
            x += 40 + 8 * len(name)
    y = TOP + legend
    for index, category in enumerate(categories):
        middle = y + group_height / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" font-size="13" fill="#0b0c0c">'
            f"<title>{escape(category)}</title>{escape(_short(category))}</text>"
        )
        for number, (name, values) in enumerate(series):
            value = values[index]
            width = plot_width * value / peak
            colour = COLOURS[number % len(COLOURS)]
            top = y + number * (BAR_HEIGHT + BAR_GAP)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{top}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}">'
                f"<title>{escape(category)}, {escape(name)}: {value}</title></rect>"
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{top + BAR_HEIGHT - 3}" font-size="12" '
                f'fill="#0b0c0c">{value}</text>'
            )
        y += group_height + GROUP_GAP
    parts.append(
        f'<line x1="{LABEL_WIDTH}" x2="{LABEL_WIDTH}" y1="{TOP + legend - 4}" y2="{y - GROUP_GAP + 4}" '
        'stroke="#0b0c0c" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return Markup("\n".join(parts))
