"""Identity and authorisation of the control plane and the review service: who may do what
(permissions), sessions and tokens, one login (local or LDAP, throttled, with TOTP), role
grants.  Services call these; the web layers only adapt them to HTTP."""
