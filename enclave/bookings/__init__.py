"""Half-day bookings of seats in the work area (RULES.md S2–S5)."""
