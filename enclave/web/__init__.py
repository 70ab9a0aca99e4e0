"""Shared web plumbing for the enclave's FastAPI services: DB sessions and authentication."""
