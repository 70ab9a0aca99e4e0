"""People and their accounts: roles, employment, passwords (RULES.md A1, A2, A4)."""
