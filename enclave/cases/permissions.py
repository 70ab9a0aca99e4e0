"""Kept for older imports: permissions live in :mod:`enclave.identity.permissions`."""
from enclave.core.errors import Forbidden  # noqa: F401
from enclave.identity.permissions import *  # noqa: F401,F403
from enclave.identity.permissions import (DECIDERS, OFFICER_ROLES, can_manage, can_view,  # noqa: F401
                                          is_admin, is_decider, is_member, is_officer, membership,
                                          not_self, require)
