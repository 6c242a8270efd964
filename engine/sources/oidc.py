"""The province's unified identity service by OpenID Connect (authorization code with PKCE), through
Authlib's client: the service's metadata by discovery, the code exchanged for tokens, the ID token's
signature checked against the service's published keys and its claims (issuer, audience, expiry,
nonce) validated with joserfc; the mobile number from the ID token or, failing that, userinfo."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from engine.domain.identity import IdentityRefused, VerifiedIdentity


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    name: str = "统一身份认证"
    scopes: str = "openid profile phone"
    phone_claim: str = "phone_number"
    timeout: float = 5.0
    id_claim: str = ""
    """The claim carrying the verified resident ID number (a province's own name); empty: none asked."""


class OidcProvider:
    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self.name = config.name
        self._metadata: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _get(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            answer = requests.get(url, timeout=self.config.timeout, **kwargs)
            answer.raise_for_status()
            found = answer.json()
        except (requests.RequestException, ValueError) as err:
            raise IdentityRefused(f"the identity service did not answer {url}: {err}",
                                  "统一身份认证平台暂时无法访问，请稍后再试或使用短信验证码登录") from err
        if not isinstance(found, dict):
            raise IdentityRefused(f"{url} answered no JSON object", "统一身份认证平台的应答无法识别")
        return found

    def metadata(self) -> dict[str, Any]:
        """The service's endpoints (discovery), read once."""
        with self._lock:
            if self._metadata is None:
                issuer = self.config.issuer.rstrip("/")
                found = self._get(f"{issuer}/.well-known/openid-configuration")
                if str(found.get("issuer", "")).rstrip("/") != issuer:
                    raise IdentityRefused(f"the discovery document names issuer {found.get('issuer')!r}",
                                          "统一身份认证平台的配置与设定的地址不符")
                self._metadata = found
            return self._metadata

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(self.config.client_id, self.config.client_secret, scope=self.config.scopes,
                             redirect_uri=redirect_uri, code_challenge_method="S256")

    def authorization_url(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        url, _ = self._session(redirect_uri).create_authorization_url(
            self.metadata()["authorization_endpoint"], state=state, nonce=nonce, code_verifier=code_verifier)
        return str(url)

    def identity(self, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> VerifiedIdentity:
        meta = self.metadata()
        session = self._session(redirect_uri)
        try:
            token = session.fetch_token(meta["token_endpoint"], code=code, code_verifier=code_verifier,
                                        timeout=self.config.timeout)
        except Exception as err:  # Authlib raises its OAuth errors and requests' alike
            raise IdentityRefused(f"the code was not exchanged: {err}",
                                  "统一身份认证未能完成，请重新登录") from err
        claims = self._verified(str(token.get("id_token") or ""), nonce)
        phone = str(claims.get(self.config.phone_claim) or "")
        if not phone and meta.get("userinfo_endpoint"):
            info = self._get(meta["userinfo_endpoint"],
                             headers={"Authorization": f"Bearer {token.get('access_token', '')}"})
            if info.get("sub") == claims["sub"]:
                claims = {**info, **claims}
                phone = str(info.get(self.config.phone_claim) or "")
        if not phone:
            raise IdentityRefused("the identity service gave no verified mobile number",
                                  "统一身份认证未提供已核验的手机号码，请使用短信验证码登录")
        id_number = str(claims.get(self.config.id_claim) or "") if self.config.id_claim else ""
        return VerifiedIdentity(str(claims["sub"]), phone, str(claims.get("name") or ""), id_number.upper())

    def _verified(self, id_token: str, nonce: str) -> dict[str, Any]:
        keys = KeySet.import_key_set(self._get(self.metadata()["jwks_uri"]))  # type: ignore[arg-type]
        try:
            decoded = jwt.decode(id_token, keys)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.config.issuer.rstrip("/")},
                aud={"essential": True, "value": self.config.client_id},
                exp={"essential": True}, sub={"essential": True}, nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as err:
            raise IdentityRefused(f"the ID token was refused: {err}", "统一身份认证的凭证无效，请重新登录") from err
        return dict(decoded.claims)
