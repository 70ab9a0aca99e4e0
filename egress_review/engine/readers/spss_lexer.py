"""A grammar for SPSS syntax (.sps), which pygments lacks: before, a whole .sps went to a
reviewer as "no lexer", its comments and quoted strings unread (E7).  Only what the code reader
needs is told apart: comments (``* …`` and ``COMMENT …`` commands to their ending period or a
blank line, ``/* … */``) and quoted strings (VALUE LABELS, VARIABLE LABELS, TITLE); the rest
is code.  Every rule is linear: a ``/*`` or a comment command is followed line by line in a
state of its own, and a string never spans lines (SPSS joins strings with ``+``)."""
from __future__ import annotations

from pygments.lexer import RegexLexer
from pygments.token import Comment, String, Text


class SpssLexer(RegexLexer):
    name = "SPSS"
    aliases = ["spss"]
    filenames = ["*.sps"]

    tokens = {
        "root": [
            # a comment command starts a command (the first word of its line)
            (r"^[ \t]*(?:\*|(?i:comment)\b)", Comment, "command_comment"),
            (r"/\*", Comment, "block_comment"),
            (r"'[^'\n]*'", String),
            (r'"[^"\n]*"', String),
            (r"[^'\"/*\n]+", Text),
            (r"\n", Text),
            (r".", Text),
        ],
        # to the line that ends with a period, or to a blank line
        "command_comment": [
            (r"[^\n]*\.[ \t]*(?=\n|\Z)", Comment, "#pop"),
            (r"\n(?=[ \t]*(?:\n|\Z))", Text, "#pop"),
            (r"[^\n]+", Comment),
            (r"\n", Comment),
        ],
        "block_comment": [
            (r"\*/", Comment, "#pop"),
            (r"[^*\n]+", Comment),
            (r"\*", Comment),
            (r"\n", Comment),
        ],
    }
