"""A workflow's state chart as SVG, drawn from its table (no Graphviz: the setup installs no system
binaries, and the help page loads nothing from elsewhere).

Layout: states in columns by their distance from the initial state (breadth first), stacked in each
column; a step forward is a straight arrow, a step back or within a column a curve below the
boxes; steps allowed from any state start at a "any state" box in the first column.
"""

from html import escape

from django.utils.translation import gettext as _

from safetynet.core.workflows.table import ANY_STATE, Workflow

BOX_W, BOX_H = 150, 44
COL_GAP, ROW_GAP = 90, 36
MARGIN = 20


def _columns(flow: Workflow) -> dict[str, int]:
    depth = {flow.initial: 0}
    frontier = [flow.initial]
    while frontier:
        following = []
        for code in frontier:
            for move in flow.moves_from(code):
                if move.target not in depth:
                    depth[move.target] = depth[code] + 1
                    following.append(move.target)
        frontier = following
    return depth


def limit_words(state) -> str:
    limit = state.limit
    if limit is None:
        return ""
    unit = {"working_days": _("working days"), "calendar_days": _("days"), "hours": _("hours")}[limit.unit]
    return _("≤ %(amount)s %(unit)s") % {"amount": limit.amount, "unit": unit}


def state_chart_svg(flow: Workflow) -> str:
    depth = _columns(flow)
    has_any = any(ANY_STATE in move.sources for move in flow.transitions)
    shift = 1 if has_any else 0
    columns: dict[int, list[str]] = {}
    for state in flow.states:
        columns.setdefault(depth[state.code] + shift, []).append(state.code)
    if has_any:
        columns[0] = [ANY_STATE]
    place = {}
    for column, codes in columns.items():
        for row, code in enumerate(codes):
            place[code] = (MARGIN + column * (BOX_W + COL_GAP), MARGIN + row * (BOX_H + ROW_GAP))
    rows = max(len(codes) for codes in columns.values())
    width = MARGIN * 2 + len(columns) * BOX_W + (len(columns) - 1) * COL_GAP
    curve_room = 60
    height = MARGIN * 2 + rows * BOX_H + (rows - 1) * ROW_GAP + curve_room
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="state-chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(str(flow.label))}">',
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        "markerHeight=\"7\" orient=\"auto-start-reverse\">"
        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#445\"/></marker></defs>",
    ]
    bottom = height - curve_room / 2
    for index, move in enumerate(flow.transitions):
        for source in move.sources:
            if source not in place:
                continue
            x1, y1 = place[source]
            x2, y2 = place[move.target]
            label = escape(str(move.label))
            if x2 > x1:
                start = (x1 + BOX_W, y1 + BOX_H / 2)
                end = (x2, y2 + BOX_H / 2)
                parts.append(f'<path d="M{start[0]},{start[1]} L{end[0]},{end[1]}" class="edge" '
                             'stroke="#445" fill="none" marker-end="url(#arrow)"/>')
                mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - 4 - (index % 2) * 10)
            else:
                start = (x1 + BOX_W / 2 + 10, y1 + BOX_H)
                end = (x2 + BOX_W / 2 - 10, y2 + BOX_H)
                low = bottom - (index % 3) * 8
                curve = f"M{start[0]},{start[1]} C{start[0]},{low} {end[0]},{low} {end[0]},{end[1]}"
                parts.append(f'<path d="{curve}" '
                             'class="edge edge--back" stroke="#a55" stroke-dasharray="4 3" fill="none" '
                             'marker-end="url(#arrow)"/>')
                mid = ((start[0] + end[0]) / 2, low - 2)
            parts.append(f'<text x="{mid[0]}" y="{mid[1]}" text-anchor="middle" font-size="11" '
                         f'fill="#223">{label}</text>')
    for code, (x, y) in place.items():
        if code == ANY_STATE:
            parts.append(f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="#fff" '
                         'stroke="#889" stroke-dasharray="4 3"/>')
            parts.append(f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 5}" text-anchor="middle" '
                         f'font-size="13">{escape(_("any state"))}</text>')
            continue
        state = flow.state(code)
        fill = "#e8f0fb" if code == flow.initial else ("#eee" if state.final else "#fff")
        stroke_width = 3 if state.final else 1.5
        parts.append(f'<g class="state" data-state="{escape(code)}"><rect x="{x}" y="{y}" width="{BOX_W}" '
                     f'height="{BOX_H}" rx="8" fill="{fill}" stroke="#334" stroke-width="{stroke_width}"/>')
        limit = limit_words(state)
        title_y = y + (BOX_H / 2 - 2 if limit else BOX_H / 2 + 5)
        parts.append(f'<text x="{x + BOX_W / 2}" y="{title_y}" text-anchor="middle" font-size="13">'
                     f'{escape(str(state.label))}</text>')
        if limit:
            parts.append(f'<text x="{x + BOX_W / 2}" y="{y + BOX_H - 8}" text-anchor="middle" font-size="11" '
                         f'fill="#a33">{escape(limit)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
