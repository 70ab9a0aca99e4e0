"""In-session helpers: the case's data read-only with every query logged (A3), and output
submission to egress review (E4).  Used inside the sandboxed JupyterLab session."""
from enclave.session.outputs import SubmissionError, submit_outputs
from enclave.session.query import CaseConnection, QueryLogError, WardenLog, connect

__all__ = ["connect", "CaseConnection", "WardenLog", "QueryLogError", "submit_outputs",
           "SubmissionError"]
