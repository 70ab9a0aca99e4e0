"""The six-monthly audit sample and the supervisor's sign-off (RULES.md A6)."""
