"""The NHI research data centre's rules as typed, validated policy settings.

Every setting names the RULES.md rule it enforces (``rule=``) so a reader can trace a
number in the code back to the regulation.  Load with :func:`load_policy`.
"""
from policies.loader import PolicyError, load_policy, default_policy_dir, current_policy
from policies.model import Policy

__all__ = ["Policy", "PolicyError", "load_policy", "default_policy_dir", "current_policy"]
