"""Adapters to systems outside the engine: the provincial data-sharing platform (``http_registry``)."""
