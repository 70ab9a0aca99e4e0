"""Real services the tests start and stop: PostgreSQL, OpenLDAP slapd, JupyterHub."""
