"""One module per family of rules in RULES.md; each owns one YAML file of a policy."""
