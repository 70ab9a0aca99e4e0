"""The ``enclave`` command line; each area contributes one sub-command group."""
