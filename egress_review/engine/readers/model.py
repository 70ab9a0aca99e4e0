"""The content model: what a reader makes of a file, in units the disclosure checks understand.

Every reader turns one file into a :class:`Content`: a list of units, each with its ``place``
(where in the file it sits, in the keys a :class:`~egress_review.engine.result.Finding` location
uses) and a list of parts it could not read.  The checks never look at file bytes again; what a
reader could not turn into a unit is an :class:`Unread` part and goes to a reviewer.

Places use these keys (any subset): ``sheet``, ``cell`` (A1 style), ``comment``, ``name``
(defined name), ``chart``, ``property``, ``cell_index`` and ``output`` (notebook), ``part``
(what kind of part: ``text/html``, ``stderr``, ``metadata`` …), ``line``, ``offset``/``length``
(characters in the unit's text), ``json_path``, ``page``, ``table``, ``row``, ``column``.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TableUnit:
    """A grid of cell texts as the file shows them; ``rows[0]`` is the header row.

    ``a1_origin`` (row, column; 0-based) is set when the file has its own cell addresses (a
    spreadsheet's ``B7``): cell ``rows[r][c]`` is then at row ``r + origin[0]``, column
    ``c + origin[1]``; otherwise a cell is placed by row and column."""
    rows: list[list[str]]
    place: dict
    hidden: bool = False                       # a hidden sheet, or rows/columns hidden in it
    a1_origin: tuple[int, int] | None = None
    caption: str = ""                          # text around the table (title, N = … line)
    # rows of a sheet with more figures than any table may publish: ``rows`` then holds only
    # its first rows (the rest was not turned into text; the table is blocked as it is)
    oversize_rows: int = 0


@dataclass
class TextUnit:
    """Words a reader sees: prose, a printed result, a comment, a document property."""
    text: str
    place: dict
    code: bool = False                         # program source: counts in it are not claims
    # True when the text's line 1 is the file's line ``place.get("line", 1)`` (a .txt, a
    # Markdown paragraph); False for text extracted from markup, a notebook output, a PDF page
    file_lines: bool = False


@dataclass
class ImageUnit:
    """A raster or vector picture: a figure goes to the committee path (E5)."""
    mime: str
    data: str                                  # base64 as stored in the file, or "" if external
    place: dict


@dataclass
class OpaqueUnit:
    """Bytes no reader here can turn into numbers and words: never passed automatically."""
    what: str
    place: dict


@dataclass
class ModelSummary:
    """A fitted model as statsmodels, R or Stata print it (the unit the regression rules read).

    ``None`` means the printout did not state the figure.  ``coefficients`` are (term, estimate)
    in printed order; ``levels`` the terms that are levels of a categorical covariate
    (``C(sex)[T.M]``, ``sexM``, ``2.region``)."""
    tool: str                                  # statsmodels | R | Stata
    model: str                                 # OLS, Logit, glm, Cox … as printed
    place: dict
    n_obs: int | None = None
    df_resid: float | None = None
    df_model: float | None = None
    n_events: int | None = None
    coefficients: list[tuple[str, float]] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    text: str = ""


@dataclass
class Unread:
    """A part of the file that could not be read: the file goes to review with the reason."""
    place: dict
    reason: str


Unit = TableUnit | TextUnit | ImageUnit | OpaqueUnit | ModelSummary


@dataclass
class Content:
    """Everything one reader got out of one file."""
    fmt: str
    units: list = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    def add(self, unit) -> None:
        self.units.append(unit)

    def fail(self, place: dict, reason: str) -> None:
        self.unread.append(Unread(dict(place), reason))

    def extend(self, other: "Content", place: dict | None = None) -> None:
        """Take over another reader's units (e.g. an HTML output inside a notebook), with
        ``place`` prefixed to each unit's own place."""
        pre = place or {}
        for u in other.units:
            u.place = {**pre, **u.place}
            if isinstance(u, TextUnit):
                u.file_lines = False           # nested: its lines are not the outer file's
            self.units.append(u)
        for f in other.unread:
            self.unread.append(Unread({**pre, **f.place}, f.reason))
