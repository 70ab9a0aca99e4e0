"""The settings and policy a datasets function uses when its caller passes none: this
process's own.  Imported late: the datasets library loads without the control plane's
configuration until a function needs it."""
from __future__ import annotations


def settings_or_current(settings=None):
    """``settings``, or the process's (``enclave.settings.get_settings``)."""
    if settings is None:
        from enclave.settings import get_settings
        settings = get_settings()
    return settings


def policy_or_current(policy=None):
    """``policy``, or the centre's current one (``policies.current_policy``)."""
    if policy is None:
        from policies import current_policy
        policy = current_policy()
    return policy
