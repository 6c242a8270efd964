"""In-memory implementations of the services' unit of work and repositories (``Fake*``), for
use-case tests that need no database (``tests/usecases``)."""
