"""The violations register (RULES.md A8): each kind of sanction blocks what it should."""
