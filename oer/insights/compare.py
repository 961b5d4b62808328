"""Now against a snapshot: each figure's rows lined up by their key, with both values and the change. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Mapping

from oer.insights.figures import Cell, Figure, FigureName

# The columns that identify a row of each figure; the other numeric columns are compared.
KEYS: Mapping[FigureName, tuple[str, ...]] = {
    FigureName.SECTOR_SUBJECT: ("sector", "subject"),
    FigureName.KERNDOELEN: ("sector", "code"),
    FigureName.LICENCES: ("licence_family",),
    FigureName.COMPLETENESS: ("source",),
    FigureName.QUALITY: ("criterion",),
    FigureName.TRENDS: ("month", "origin"),
    FigureName.HARVEST_HEALTH: ("source", "month"),
    FigureName.ORGANISATIONS: ("organisation",),
}


def _numeric(figure: Figure, keys: tuple[str, ...]) -> list[str]:
    columns = []
    for index, column in enumerate(figure.columns):
        if column in keys:
            continue
        cells = [row[index] for row in figure.rows if row[index] is not None]
        if cells and all(isinstance(c, int | float) and not isinstance(c, bool) for c in cells):
            columns.append(column)
    return columns


def _change(then: Cell, now: Cell) -> Cell:
    if not isinstance(then, int | float) or not isinstance(now, int | float):
        return None
    difference = now - then
    return round(difference, 4) if isinstance(difference, float) else difference


def compare_figure(now: Figure, then: Figure | None) -> Figure:
    """Rows of both, by key (now's order first, then rows only the snapshot had): per numeric
    column its value then, now and the change. A row absent on one side has None there."""
    keys = KEYS[now.name]
    numeric = _numeric(now, keys) or (_numeric(then, keys) if then else [])
    columns = [*keys]
    for column in numeric:
        columns += [f"{column}_then", f"{column}_now", f"{column}_change"]

    def cells(figure: Figure | None) -> dict[tuple[Cell, ...], dict[str, Cell]]:
        if figure is None:
            return {}
        return {tuple(row[figure.columns.index(k)] for k in keys): dict(zip(figure.columns, row, strict=True))
                for row in figure.rows if all(k in figure.columns for k in keys)}

    now_rows, then_rows = cells(now), cells(then)
    order = list(now_rows) + [key for key in then_rows if key not in now_rows]
    rows: list[tuple[Cell, ...]] = []
    for key in order:
        row: list[Cell] = list(key)
        for column in numeric:
            before = then_rows.get(key, {}).get(column)
            after = now_rows.get(key, {}).get(column)
            # A row missing on one side counts as zero there: nothing then, or nothing left now.
            before_value = 0 if before is None and key not in then_rows else before
            after_value = 0 if after is None and key not in now_rows else after
            row += [before_value, after_value, _change(before_value, after_value)]
        rows.append(tuple(row))
    return Figure(now.name, tuple(columns), tuple(rows))


def compare_figures(now: Mapping[FigureName, Figure], then: Mapping[FigureName, Figure]
                    ) -> dict[FigureName, Figure]:
    return {name: compare_figure(figure, then.get(name)) for name, figure in now.items()}
