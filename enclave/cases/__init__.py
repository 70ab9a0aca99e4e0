"""Cases (projects): types, periods, members, changes, fees (RULES.md P1–P12)."""
