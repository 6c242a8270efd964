"""Signing applicants in through a province's unified identity service (统一身份认证) by OpenID
Connect: what the service vouches for, and the port its adapter fills (``engine.sources.oidc``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the identity service says signed in (its ID token checked: issuer, audience, expiry, nonce)."""

    subject: str
    phone: str
    """The mobile number the service verified: the applicant's account and their cases are keyed by it."""
    name: str = ""
    id_number: str = ""
    """The resident ID number the service verified (实名认证), when it gives one: the online form is then
    pre-filled from the registries for this applicant."""


class IdentityRefused(Exception):
    """The identity service did not vouch for anyone: a denied consent, a bad or expired answer, no
    verified mobile number, or the service out of reach."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh


class IdentityProvider(Protocol):
    name: str
    """What the sign-in button calls it, e.g. 省统一身份认证平台."""

    def authorization_url(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        """Where to send the applicant to sign in (authorization code flow with PKCE)."""
        ...

    def identity(self, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> VerifiedIdentity:
        """The code exchanged and the ID token verified; raises IdentityRefused."""
        ...
