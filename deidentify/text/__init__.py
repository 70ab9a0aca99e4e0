"""Free-text scrubbing: find and mask Taiwanese personal data (D1, E7).

- ``scrub_texts(texts)``: mask a column of texts with typed placeholders, fast on big columns;
- ``find_identifiers(text, extra_terms=...)``: list the identifiers in one text (egress checks);
- ``find_identifiers_batch(texts, extra_terms=...)``: the same for many texts, prefiltered;
- ``ScrubOptions``: the score cut-offs (policy ``data.text_mask_min_score`` and
  ``text_name_mask_min_score`` unless given), passed as ``options=`` to the functions above.
"""
from deidentify.text.scrub import (PLACEHOLDER, IdentifierHit, ScrubOptions, find_identifiers, find_identifiers_batch,
                                   mask, scrub_texts)

__all__ = ["IdentifierHit", "PLACEHOLDER", "ScrubOptions", "find_identifiers", "find_identifiers_batch", "mask",
           "scrub_texts"]
