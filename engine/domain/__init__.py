"""Plain-Python domain of one-thing cases: no I/O, no SpiffWorkflow, no SQLAlchemy."""
