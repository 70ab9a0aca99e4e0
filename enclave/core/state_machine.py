"""One mechanism for the states of a reviewed request: a transition table per kind of request.

The egress workflow (export requests, E4/E5) and the import workflow (files brought in, P13/D4)
both move a request through states by decisions; each declares its table here and moves only
through :meth:`StateMachine.move`, so a state change the table does not allow is refused
(``error``, the workflow's own 409 class) instead of written, and what may be withdrawn or is
final is read from the table rather than restated in lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class StateMachine:
    name: str
    initial: str
    transitions: Mapping[str, frozenset[str]]
    error: type[Exception] = field(default=ValueError)

    def __post_init__(self) -> None:
        known = set(self.transitions)
        for frm, tos in self.transitions.items():
            unknown = set(tos) - known
            if unknown:
                raise ValueError(f"{self.name}: {frm} → {sorted(unknown)}: states not in the table")
        if self.initial not in known:
            raise ValueError(f"{self.name}: initial state {self.initial!r} not in the table")

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    @property
    def final(self) -> tuple[str, ...]:
        """States nothing leaves (a decision on record)."""
        return tuple(s for s, tos in self.transitions.items() if not tos)

    def into(self, to: str) -> tuple[str, ...]:
        """States from which ``to`` may be reached in one step."""
        return tuple(s for s, tos in self.transitions.items() if to in tos)

    def allows(self, frm: str | None, to: str) -> bool:
        if frm is None:
            return to == self.initial
        return to in self.transitions.get(frm, frozenset())

    def move(self, obj: Any, to: str, on_move: Callable[[str | None, str], None] | None = None) -> str | None:
        """Set ``obj.state`` to ``to`` if the table allows it from the current state, then call
        ``on_move(from, to)`` (the workflow's audit record, in the same transaction)."""
        frm = getattr(obj, "state", None)
        if not self.allows(frm, to):
            ident = getattr(obj, "id", None)
            raise self.error(f"{self.name} {ident} is {frm}: it cannot become {to}")
        obj.state = to
        if on_move is not None:
            on_move(frm, to)
        return frm


def table(**edges: str) -> dict[str, frozenset[str]]:
    """``table(draft="submitted withdrawn", …)``: each state with the states it may move to."""
    return {state: frozenset(tos.split()) for state, tos in edges.items()}
