"""Deployment descriptions rendered from the project's own settings and policy."""
