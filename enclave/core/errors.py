"""Errors the control plane raises; the web layer maps each to an HTTP status.

Every message names the rule (RULES.md ID) it enforces, so a refused user knows why.
"""
from __future__ import annotations


class ControlError(Exception):
    status = 400

    def __init__(self, message: str, rule: str | None = None) -> None:
        self.message = message
        self.rule = rule
        super().__init__(f"{message} ({rule})" if rule else message)


class Refused(ControlError):
    """A rule forbids this (the 4th case, the 7th person, a holiday booking …)."""
    status = 409


class Forbidden(ControlError):
    """The user's role does not allow this (A1)."""
    status = 403


class NotFound(ControlError):
    status = 404


class BadInput(ControlError):
    status = 422
