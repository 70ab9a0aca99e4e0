"""Seeded synthetic NHIRD-like source files (see :mod:`datasets.synthetic.generator`)."""
from datasets.synthetic.generator import GenerateResult, generate, read_truth

__all__ = ["generate", "read_truth", "GenerateResult"]
