"""Kept for older imports: the identity backends live in :mod:`enclave.identity.directory`."""
from enclave.identity.directory import (Identity, LdapSettings, LoginRefused,  # noqa: F401
                                        check_password_policy, ldap_identity, local_identity)
