"""What a figure is: a named table of cells that the site charts, shows and downloads. Pure; no I/O."""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Cell = str | int | float | bool | None


class FigureName(enum.StrEnum):
    """Every figure, by the name its download and snapshot use."""

    # Public.
    SECTOR_SUBJECT = "sector-subject"
    KERNDOELEN = "kerndoelen"
    LICENCES = "licences"
    COMPLETENESS = "completeness"
    QUALITY = "quality"
    TRENDS = "trends"
    # Operators and the alliance only (a platform role).
    HARVEST_HEALTH = "harvest-health"
    ORGANISATIONS = "organisations"


PUBLIC_FIGURES: tuple[FigureName, ...] = (
    FigureName.SECTOR_SUBJECT, FigureName.KERNDOELEN, FigureName.LICENCES,
    FigureName.COMPLETENESS, FigureName.QUALITY, FigureName.TRENDS,
)
OPERATOR_FIGURES: tuple[FigureName, ...] = (FigureName.HARVEST_HEALTH, FigureName.ORGANISATIONS)


@dataclass(frozen=True, slots=True)
class Figure:
    """One aggregate as a table: column names and rows of cells, in the order shown."""

    name: FigureName
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def records(self) -> list[dict[str, Cell]]:
        """The rows as {column: cell} (the JSON download)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows(["" if cell is None else cell for cell in row] for row in self.rows)
        return out.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "rows": [list(row) for row in self.rows]}

    @classmethod
    def from_dict(cls, name: FigureName, data: Mapping[str, Any]) -> Figure:
        return cls(name, tuple(data["columns"]), tuple(tuple(row) for row in data["rows"]))


def figures_to_dict(figures: Mapping[FigureName, Figure]) -> dict[str, Any]:
    return {name.value: figure.to_dict() for name, figure in figures.items()}


def figures_from_dict(data: Mapping[str, Any]) -> dict[FigureName, Figure]:
    known = {name.value: name for name in FigureName}
    return {known[key]: Figure.from_dict(known[key], value) for key, value in data.items() if key in known}


def column_values(figure: Figure, column: str) -> list[Cell]:
    index = figure.columns.index(column)
    return [row[index] for row in figure.rows]


def share(part: int, whole: int) -> float:
    """`part` of `whole` as a fraction rounded to 4 places (0.0 for an empty whole)."""
    return round(part / whole, 4) if whole else 0.0


def by_key(figure: Figure, keys: Sequence[str]) -> dict[tuple[Cell, ...], tuple[Cell, ...]]:
    """The rows by the cells of `keys` (to line up a figure now with one in a snapshot)."""
    positions = [figure.columns.index(key) for key in keys]
    return {tuple(row[i] for i in positions): row for row in figure.rows}
