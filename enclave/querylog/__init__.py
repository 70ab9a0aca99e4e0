"""The session query log (A3): browse, export for auditors, and the supervisor's approval."""
