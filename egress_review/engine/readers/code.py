"""Program source (.py, .R, .sql, .sas, .do …): comments and string literals are words that
leave with the program, so they are read as text; the code itself is left to the smuggling and
identifier checks.  Tokens come from Pygments' lexer for the file's language.

A "program" whose every line is a delimited record (``north,3``) is data under a code
extension: it is read as a table as well; so is a delimited table inside a string literal or a
comment (a CSV in a string: ``data = 'region,n\\nr1,3…'``).
"""
from __future__ import annotations

import re

from egress_review.engine.prose import COUNT_HINT
from egress_review.engine.readers.model import Content, TableUnit, TextUnit
from egress_review.engine.readers.printed import delimited_blocks
from egress_review.engine.readers.text_decode import text_or_unread

_RECORD = re.compile(r"^[^=(){}\[\]#:<>]*$")
# a label that states a count in a plot's text: "n=3", "N: 4", "(3)" after a word
_SHORT_COUNT = re.compile(r"\b[nN]\s*[=:＝]|[(（]\s*\d+\s*[)）]|\d+\s*[人例名位]")
_COMMENT_LINE = re.compile(r"^\s*(?:#+|--|//|%+|\*+)\s?(.*)$")


def _looks_like_records(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2 or not all(_RECORD.match(ln) for ln in lines):
        return False
    for d in (",", "\t", ";", "|"):
        widths = {len(ln.split(d)) for ln in lines}
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


def for_lexer(text: str) -> str:
    """``text`` with each line's trailing white space removed (same lines), as lexers read it:
    pygments' Python lexer tries a run of blank-but-not-empty lines from each of its lines (20 000
    lines holding one space: minutes).  Trailing blanks are read, as a covert channel, by
    ``covert_text.trailing_whitespace`` on the file as it is."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


def other_languages(text: str, suffix: str) -> list:
    """The name declares a language, the text may be another (Python saved as .R, SQL in a
    .py): the data shapes of the other grammars, read too.  Their lone count-named numbers are
    not (in another language a setting like ``n_folds <- 5`` looks the same)."""
    from egress_review.engine.readers.code_literals import python_literals, r_literals
    from egress_review.engine.readers.data_statements import data_statements

    units = python_literals(text) if suffix != "py" else []
    units += [u for u in r_literals(text) if isinstance(u, TableUnit)] if suffix != "r" else []
    for lang in ("r", "sql", "sas", "m", "sps"):
        if lang != suffix and not (lang == "sas" and suffix in ("do", "ado", "stata")):
            units += data_statements(text, lang)
    return units


_HTML_TABLE = re.compile(r"<table[\s>]", re.I)


def _without_tabulars(body: str) -> str:
    """``body`` with each tabular's lines blank (same lines): they are read as its table."""
    out, at = [], 0
    for _ in range(50):
        a = body.find("\\begin{tabular", at)
        b = body.find("\\end{tabular}", a) if a >= 0 else -1
        if b < 0:
            break
        out += [body[at:a], "\n" * body.count("\n", a, b)]
        at = b + len("\\end{tabular}")
    return "".join(out) + body[at:]


def _markup_tables(literal: str, line: int, out: Content) -> bool:
    """Read an HTML table or LaTeX tabular in a string literal into ``out``; False if none."""
    body = literal.replace("\\n", "\n").replace('\\"', '"')
    if _HTML_TABLE.search(body):
        from egress_review.engine.readers.markup import read_html

        page = read_html(body)
    elif "\\begin{tabular" in body:
        from egress_review.engine.readers.printed import page_tables

        page = Content("latex")
        for unit in page_tables(body):
            page.add(unit)
        if not page.units:
            return False
        page.add(TextUnit(_without_tabulars(body), {}))     # the words around it
    else:
        return False
    for u in page.units:
        u.place = {**u.place, "line": line + (u.place.get("line") or 1) - 1, "part": "string"}
        if isinstance(u, TextUnit):
            u.file_lines = False
        out.add(u)
    for f in page.unread:
        out.fail({**f.place, "line": line, "part": "string"}, f.reason)
    return True


def _numbers(unit: TableUnit) -> list[str]:
    return sorted(c for r in unit.rows[1:] for c in r if re.fullmatch(r"-?[\d.]+", c or ""))


def _already_read(units: list, unit: TableUnit) -> bool:
    """A table unit on the same line as one already read whose numbers hold all of its own."""
    from collections import Counter

    mine = Counter(_numbers(unit))
    return any(isinstance(u, TableUnit) and u.place.get("line") == unit.place.get("line")
               and not mine - Counter(_numbers(u)) for u in units)


def read(raw: bytes, name: str) -> Content:
    from pygments.token import Comment, String
    from pygments.util import ClassNotFound

    from egress_review.engine.readers.lexers import lexer_for

    out = Content("code")
    if (text := text_or_unread(raw, out)) is None:
        return out
    if not text.strip():
        return out
    out.add(TextUnit(text, {}, code=True))
    if _looks_like_records(text):
        from egress_review.engine.readers.delimited import read as read_delimited

        out.extend(read_delimited(raw, name + ".csv"), {"part": "records"})
    # a table in consecutive comment lines (# region,n / # r1,3 …)
    commented = [m.group(1) if (m := _COMMENT_LINE.match(ln)) else "" for ln in text.split("\n")]
    comment_table_lines: set[int] = set()          # 0-based lines of the file
    for a, b, rows in delimited_blocks(commented):
        out.add(TableUnit(rows=rows, place={"line": a + 1, "part": "comment"}))
        comment_table_lines.update(range(a, b))
    # counts typed as literals (maps, records, count-named numbers) are tables and counts too
    from egress_review.engine.readers.code_literals import python_literals, r_literals

    suffix = name.lower().rsplit(".", 1)[-1]
    from egress_review.engine.readers.data_statements import data_statements

    doubts: list = []
    for unit in python_literals(text, doubts) if suffix == "py" else r_literals(text) if suffix == "r" else []:
        out.add(unit)
    for unit in data_statements(text, suffix):
        out.add(unit)
    for unit in other_languages(text, suffix):
        out.add(unit)
    # vectors and matrices in any language's syntax (MATLAB [3 120; 4 88], R c(3, 120)); one
    # the readers above already turned into a table is not read twice
    from egress_review.engine.readers.program_arrays import program_arrays

    for unit in program_arrays(text, doubts):
        if not _already_read(out.units, unit):
            out.add(unit)
    from egress_review.engine.readers.cell_assignments import cell_assignments
    from egress_review.engine.readers.label_strings import label_string_tables
    from egress_review.engine.readers.lookups import lookups
    from egress_review.engine.readers.r_shapes import r_shapes

    for unit in label_string_tables(text) + cell_assignments(text) + lookups(text) + r_shapes(text):
        if not _already_read(out.units, unit):
            out.add(unit)
    for place, reason in doubts:
        out.fail(place, reason)
    try:
        lexer = lexer_for(name)
    except ClassNotFound:
        out.fail({}, "no lexer for this program's language: its comments and strings are unread")
        return out
    from egress_review.engine.readers.json_strings import assigned_name, json_string_units

    text = for_lexer(text)      # the literals below are placed by the lines of this text
    offset = 0
    run: list[str] = []
    run_kind, run_start = None, 0

    def flush():
        literal = "".join(run)
        line = text.count("\n", 0, run_start) + 1
        # JSON in a string (json.loads('{…}'), JSON.parse, fromJSON) is data: read as JSON, not
        # as a sentence (in a .js file the literal scan may have read it already)
        if run_kind == "string" and (units := json_string_units(
                literal, assigned_name(text, run_start), {"line": line},
                text[max(0, run_start - 120):run_start])) is not None:
            for unit in units:
                if not (isinstance(unit, TableUnit) and _already_read(out.units, unit)):
                    out.add(unit)
            run.clear()
            return
        # an HTML table or a LaTeX tabular typed into a string (html = "<table>…", a report
        # template) is a table: read by the page readers, its cells then checked as a table's
        if run_kind == "string" and _markup_tables(literal, line, out):
            run.clear()
            return
        # a table pasted into a string or comment (data = """region,n\nr1,3\n…""") is a table
        body = literal.strip("'\"") if run_kind == "string" else literal
        if run_kind == "string":      # "North\\t3\\nSouth\\t120": the escapes are the delimiters
            body = body.replace("\\t", "\t")
        # (a comment's lines without their markers: "-- | North | 3 |" is the row "North | 3")
        lines = [m.group(1) if (m := _COMMENT_LINE.match(ln)) else ln for ln in body.split("\n")] \
            if run_kind == "comment" else re.split(r"\n|\\n", body)
        in_table: set[int] = set()
        for a, b, rows in delimited_blocks(lines):
            unit = TableUnit(rows=rows, place={"line": line + a, "part": run_kind})
            in_table.update(range(a, b))
            if not _already_read(out.units, unit):
                out.add(unit)
        if run_kind == "comment" or (in_table and "\\n" not in body):
            # a table's lines are read as the table (its cells as words too), not again as a
            # sentence whose numbers no check could place
            literal = "\n".join("" if k in in_table or (run_kind == "comment" and line - 1 + k
                                                         in comment_table_lines) else ln
                                 for k, ln in enumerate(literal.split("\n")))
        lead = len(literal) - len(literal.lstrip())
        line += literal.count("\n", 0, lead)
        words = literal.strip().strip("#/*-%'\"").strip()
        # a string literal is read when it reads like words (a label, a message); a comment always
        prose = run_kind == "comment" or len(re.findall(r"[^\W\d_]{2,}", words)) >= 2 \
            or bool(COUNT_HINT.search(words)) or bool(_SHORT_COUNT.search(words))
        # a comment is read whatever it holds (三, 參, iv, "three" are numbers too)
        if words and prose and (run_kind == "comment" or re.search(r"\d|[零一二三四五六七八九十]", words)):
            out.add(TextUnit(words, {"line": line, "part": run_kind}, file_lines=True))
        run.clear()

    # consecutive comment (or string) tokens are one text: lexers split them word by word
    for ttype, value in lexer.get_tokens(text):
        kind = "comment" if ttype in Comment else "string" if ttype in String else None
        if kind is None and run and not value.strip() and "\n" not in value:
            run.append(value)
        elif kind is not None and kind == run_kind and run:
            run.append(value)
        else:
            if run:
                flush()
            if kind is not None:
                run_kind, run_start = kind, offset
                run.append(value)
        offset += len(value)
    if run:
        flush()
    return out
