"""Which grammar reads a program's comments and strings (E7: comments and strings are words
that leave, and may hold counts or code words).

Pygments chooses a lexer by file-name patterns that are ambiguous for the enclave's languages:
``.r`` is Rebol to it (only ``.R`` is R), ``.m`` Objective-C (here it is MATLAB/Octave) and
``.stata`` nothing.  A wrong grammar misses the comments (R's ``#`` is not a comment in Rebol,
MATLAB's ``%`` not in Objective-C), and Rebol's URL rule costs the square of a long word.  So
the programs the enclave accepts are named here, whatever the case of their suffix; another
name falls back to pygments' own choice.
"""
from __future__ import annotations

# suffix (lower case) -> pygments lexer alias
LANGUAGES = {"py": "python", "r": "r", "sql": "tsql", "sas": "sas", "do": "stata", "ado": "stata",
             "stata": "stata", "sh": "bash", "jl": "julia", "js": "javascript", "m": "matlab"}


def lexer_for(name: str):
    """The lexer for a program called ``name`` (raises pygments' ``ClassNotFound`` when no
    grammar is known: the caller then treats the comments and strings as unread)."""
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename

    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "sps":           # pygments has no SPSS grammar: ours reads comments and strings
        from egress_review.engine.readers.spss_lexer import SpssLexer

        return SpssLexer(stripnl=False, ensurenl=False)
    if suffix in LANGUAGES:
        return get_lexer_by_name(LANGUAGES[suffix], stripnl=False, ensurenl=False)
    return get_lexer_for_filename(name, stripnl=False, ensurenl=False)
