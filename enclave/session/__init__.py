"""In-session helpers: the case's data through the query broker with every query logged (A3),
and output submission to egress review (E4).  Used inside the sandboxed JupyterLab session."""
from enclave.session.outputs import SubmissionError, submit_outputs
from enclave.session.query import BrokerConnection, QueryError, QueryLogError, Result, connect

__all__ = ["connect", "BrokerConnection", "Result", "QueryError", "QueryLogError",
           "submit_outputs", "SubmissionError"]
