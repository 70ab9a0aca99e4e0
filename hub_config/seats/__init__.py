"""On-site seats (S1/S4): a booked seat is a registered workstation; a session is served only
to it.  ``models`` holds the registry (Alembic branch ``hub``), ``service`` registers seats
and answers whether a client address is the booked seat."""
