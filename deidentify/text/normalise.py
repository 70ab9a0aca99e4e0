"""Length-preserving normalisation (lives in ``deidentify.identifiers.normalise``)."""
from deidentify.identifiers.normalise import to_halfwidth, to_simplified

__all__ = ["to_halfwidth", "to_simplified"]
