"""The composition root's settings for signing applicants in through a province's unified identity
service by OpenID Connect (issue 26). Without an issuer, applicants sign in by SMS code only."""

from __future__ import annotations

import os
from dataclasses import dataclass

from engine.domain.identity import IdentityProvider
from engine.sources.oidc import OidcConfig, OidcProvider


@dataclass
class IdentitySettings:
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    name: str = "统一身份认证"
    scopes: str = "openid profile phone"
    phone_claim: str = "phone_number"
    timeout: float = 5.0
    id_claim: str = ""

    @staticmethod
    def from_env() -> IdentitySettings:
        env = os.environ.get
        return IdentitySettings(
            issuer=env("ONETHING_OIDC_ISSUER", ""), client_id=env("ONETHING_OIDC_CLIENT_ID", ""),
            client_secret=env("ONETHING_OIDC_CLIENT_SECRET", ""), name=env("ONETHING_OIDC_NAME", "统一身份认证"),
            scopes=env("ONETHING_OIDC_SCOPES", "openid profile phone"),
            phone_claim=env("ONETHING_OIDC_PHONE_CLAIM", "phone_number"),
            timeout=float(env("ONETHING_OIDC_TIMEOUT", "5")),
            id_claim=env("ONETHING_OIDC_ID_CLAIM", ""),
        )

    def provider(self) -> IdentityProvider | None:
        if not self.issuer:
            return None
        if not self.client_id:
            raise ValueError("ONETHING_OIDC_ISSUER is set but ONETHING_OIDC_CLIENT_ID is not")
        return OidcProvider(OidcConfig(self.issuer, self.client_id, self.client_secret, self.name, self.scopes,
                                       self.phone_claim, self.timeout, self.id_claim))
