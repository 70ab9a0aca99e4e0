"""End-of-period purge of accounts' access and case files (RULES.md P9)."""
