"""Small charts drawn on the server as inline SVG: no script, no network, and they print."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 640, 240, 40
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 22, 8, 180


def line_chart(points: list[tuple[str, int]], title: str) -> Markup:
    """A cumulative line; `points` are (label, value) from first to last, labels shown at both ends."""
    if not points:
        return Markup("")
    top = max(value for _, value in points) or 1
    span = max(len(points) - 1, 1)
    xy = [(PAD + i * (WIDTH - 2 * PAD) / span, HEIGHT - PAD - value * (HEIGHT - 2 * PAD) / top)
          for i, (_, value) in enumerate(points)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy))
    first, last = points[0][0], points[-1][0]
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" class="axis"/>'
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" class="axis"/>'
        f'<text x="{PAD - 6}" y="{PAD + 4}" text-anchor="end">{top}</text>'
        f'<text x="{PAD - 6}" y="{HEIGHT - PAD + 4}" text-anchor="end">0</text>'
        f'<text x="{PAD}" y="{HEIGHT - PAD + 18}">{escape(first)}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD + 18}" text-anchor="end">{escape(last)}</text>'
        f'<path d="{path}" class="line"/>'
        f'<text x="{xy[-1][0]:.1f}" y="{xy[-1][1] - 6:.1f}" text-anchor="end" class="value">{points[-1][1]}</text>'
        "</svg>"
    )


def bar_chart(rows: list[tuple[str, int, int | None]], title: str) -> Markup:
    """Horizontal bars of voters out of eligible residents: (label, voters, eligible); with eligible None, a
    plain count (ideas by category, say)."""
    height = max(len(rows), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    top = max([voters for _, voters, _ in rows] + [1])
    room = WIDTH - LABEL_WIDTH - 120
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">'
             f"<title>{escape(title)}</title>"]
    for i, (label, voters, eligible) in enumerate(rows):
        y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP)
        share = f" · {100 * voters / eligible:.0f}%" if eligible else ""
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 6}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(voters / top * room, 1):.1f}" '
            f'height="{BAR_HEIGHT}" class="bar"/>'
            f'<text x="{LABEL_WIDTH + voters / top * room + 6:.1f}" y="{y + BAR_HEIGHT - 6}" class="value">'
            f"{voters if eligible is None else f'{voters} / {eligible}{share}'}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
