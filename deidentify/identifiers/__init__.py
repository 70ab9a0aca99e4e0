"""Recognising real identifiers by their structure and checksum, not by pattern alone."""
