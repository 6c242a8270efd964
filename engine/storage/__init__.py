"""Adapters of the file store port (``engine.domain.documents.FileStore``): the local filesystem and an
S3-compatible object store."""
