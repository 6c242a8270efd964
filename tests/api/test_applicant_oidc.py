"""Signing in through the province's unified identity service (OpenID Connect), against a real
provider on loopback: the browser goes there and comes back with a code; the ID token is verified
and the applicant is signed in to the account of the mobile number the service vouched for — the
same account an SMS code opens. A forged or replayed answer signs nobody in."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from engine.bootstrap import OneThingEngine
from engine.domain.notifications import Channel
from engine.domain.shared_data import LookupFilter
from engine.sources.oidc import OidcConfig, OidcProvider
from tests.api.test_applicant_channel import sign_in
from tests.oidc_provider import running_provider
from tests.senders import RecordingSender

HTML = {"Accept": "text/html"}


RESIDENT = "11010519491231002X"


@pytest.fixture
def issuer(engine: OneThingEngine) -> Any:
    users = {"zhang.san": {"phone_number": "+86 138-0000-1234", "name": "张三"}, "no.phone": {"name": "李四"},
             "verified": {"phone_number": "13900001234", "name": "王五", "id_card": RESIDENT}}
    with running_provider(users) as url:
        engine.ctx.identity = OidcProvider(OidcConfig(url, "onething-test", "client-secret", "省统一身份认证平台",
                                                      id_claim="id_card"))
        yield url
    engine.ctx.identity = None


def consent(start: Any, who: str) -> str:
    """The identity service's page: ``who`` signs in there; answers where it sends the browser back."""
    assert start.status_code == 302, start.data
    answer = requests.post(start.headers["Location"], data={"sub": who}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_the_identity_service_signs_an_applicant_in(anonymous: Any, issuer: str) -> None:
    methods = anonymous.get("/api/applicant/sign-in-methods").json
    assert methods["oidc"]["name"] == "省统一身份认证平台" and methods["sms"] is True
    start = anonymous.get("/api/applicant/oidc/start?next=/apply/restaurant")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    back = consent(start, "zhang.san")
    landed = anonymous.get(back, headers=HTML)
    assert landed.status_code == 200, landed.data.decode()
    assert "/apply/restaurant" in landed.data.decode()  # sent on to the page it started from
    me = anonymous.get("/api/auth/me").json
    assert me["login"] == "13800001234" and me["roles"] == ["applicant"] and me["name"] == "张三"
    again = anonymous.get(back, headers=HTML)  # the same answer twice: its state cookie is gone
    assert again.status_code == 422 and "登录已过期或无效" in again.data.decode()


def test_answers_that_are_not_the_services_sign_nobody_in(anonymous: Any, issuer: str) -> None:
    start = anonymous.get("/api/applicant/oidc/start")
    back = consent(start, "zhang.san")
    forged = back.replace("state=", "state=x")
    refused = anonymous.get(forged)
    assert refused.status_code == 422 and refused.json["errors"]["state"]
    assert anonymous.get("/api/auth/me").status_code == 401
    wrong_code = anonymous.get("/api/applicant/oidc/start")
    back = consent(wrong_code, "zhang.san")
    bad = anonymous.get(back.replace("code=", "code=x"))
    assert bad.status_code == 401 and "统一身份认证" in bad.json["message_zh"]
    no_phone = consent(anonymous.get("/api/applicant/oidc/start"), "no.phone")
    told = anonymous.get(no_phone, headers=HTML)
    assert told.status_code == 401 and "手机号码" in told.data.decode()
    denied = anonymous.get("/api/applicant/oidc/callback?error=access_denied&state=s")
    assert denied.status_code == 422  # no sign-in was started by this browser
    assert anonymous.get("/api/auth/me").status_code == 401


def test_without_an_identity_service_only_the_sms_code_is_offered(anonymous: Any) -> None:
    assert anonymous.get("/api/applicant/sign-in-methods").json["oidc"] is None
    assert anonymous.get("/api/applicant/oidc/start").status_code == 404


def test_a_verified_identity_pre_fills_the_online_form_and_a_mobile_number_alone_does_not(
        anonymous: Any, engine: OneThingEngine, clock: Any, issuer: str) -> None:
    from engine.services.demo_registries import demo_registries, load_demo_registries

    today = clock().date()
    load_demo_registries(engine.ctx, today)
    person = demo_registries(today).people[0]
    with running_provider({"known": {"phone_number": "13900005678", "id_card": person.id_number}}) as other:
        engine.ctx.identity = OidcProvider(OidcConfig(other, "onething-test", "client-secret", id_claim="id_card"))
        back = consent(anonymous.get("/api/applicant/oidc/start"), "known")
        assert anonymous.get(back, headers=HTML).status_code == 200
    mine = anonymous.get("/api/applicant/applications/prefill?bundle=retirement").json
    assert mine["verified"] and mine["id_number"] == person.id_number
    assert mine["prefilled"]["name"]["value"] == person.name and mine["prefilled"]["name"]["label"] == "人口库"
    lookups = anonymous.application.extensions["onething"].ctx
    with lookups.uow(False) as uow:
        asked = uow.lookups.find(LookupFilter(user="13900005678"))
    assert asked and {entry.subject for entry in asked} == {person.id_number}  # audited, as the applicant
    enterprise = anonymous.get("/api/applicant/applications/prefill?bundle=company_change").json
    assert enterprise["verified"] and enterprise["prefilled"] == {}  # its credit code is nobody's verified
    assert anonymous.get("/api/applicant/applications/prefill?bundle=nope").status_code == 404
    anonymous.post("/api/auth/logout", headers={"X-CSRF-Token": anonymous.get_cookie("onething_csrf").value})
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    by_code = sign_in(anonymous, texts, "13900008888")
    alone = anonymous.get("/api/applicant/applications/prefill?bundle=retirement", headers=by_code).json
    assert alone == {"verified": False, "id_number": None, "prefilled": {}}
