"""Import review (RULES.md D4) and sharing of derived files between cases (P13).

What a researcher brings into the enclave is checked before any person sees it
(:func:`egress_review.ingress.checks.check_import`), then reviewed and, once approved, copied
read-only into the case's ``imports/<request id>/`` folder (:mod:`egress_review.ingress.workflow`).
See ``docs/import-review.md``.
"""
