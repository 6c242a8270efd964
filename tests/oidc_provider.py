"""An OpenID Connect provider for the tests: oidc-provider-mock's server on loopback, with the users
it knows (their claims: a verified mobile number, a name). It signs in whoever the authorization form
names, as a province's identity service would after its own checks."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

with warnings.catch_warnings():  # the mock imports Authlib parts that warn of their own deprecation
    warnings.simplefilter("ignore")
    import oidc_provider_mock


@contextmanager
def running_provider(users: dict[str, dict[str, Any]]) -> Iterator[str]:
    """The provider's issuer URL while it runs; ``users``: subject -> claims."""
    known = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in users.items()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = oidc_provider_mock.run_server_in_thread(user_claims=known, require_nonce=True)
        with server as running:
            yield f"http://localhost:{running.server_port}"
