"""The enclave's control plane: cases, people, bookings, accounts, audit, and the CLI."""
