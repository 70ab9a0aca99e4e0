"""The control plane's core: the errors every service raises and the audit helper they share.

Nothing here knows about HTTP; the web layer maps :class:`ControlError` to a status code.
"""
