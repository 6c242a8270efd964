"""An SMS gateway over HTTP, behind the ``Sender`` port (``engine.domain.notifications``).

The request, one per message, ``POST {url}`` with ``Authorization: Bearer {key}`` and the JSON body
(UTF-8)::

    {"phone": "13800138000", "template": "SMS_0001", "params": {"number": "CY-20261205-00001"},
     "sign": "新乡市政务服务", "out_id": "case:7:3:sms", "text": "您的办件 CY-20261205-00001 已受理"}

``template`` is the id under which the text is registered with the gateway (gateways send only
registered texts) and ``params`` fills it; ``text`` is the rendered message, for gateways that send
free text and for their logs. ``out_id`` is the outbox key: the gateway keeps it, so a message sent
again (a worker that died after sending) is recognised rather than delivered twice.

The answer is JSON ``{"code": "…", "message_id": "…", "message": "…"}``:

- 2xx with ``"code": "OK"``: taken; ``"code": "DUPLICATE"``: the gateway already has this ``out_id``,
  which counts as taken too.
- ``"code": "INVALID_PHONE"`` or ``"TEMPLATE_MISSING"``, or a 4xx other than 408 and 429: refused
  for good (``DeliveryFailed(permanent=True)``); sending again cannot help.
- a 5xx, 408, 429, a timeout, no connection, or an answer that is not that JSON: not taken this time
  (``DeliveryFailed(permanent=False)``).

One try per ``send``: the outbox retries with backoff, so the adapter does not, and a send is bounded
by the connect timeout plus ``timeout`` for the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from engine.domain.notifications import Channel, DeliveryFailed, Outgoing

CONNECT_TIMEOUT = 1.0
TAKEN = frozenset({"OK", "DUPLICATE"})
REFUSED = frozenset({"INVALID_PHONE", "TEMPLATE_MISSING"})
"""Codes that say this message can never be sent as it is."""
RETRYABLE_STATUS = frozenset({408, 429})
"""4xx statuses that mean "not now" rather than "never"."""
MAX_REASON = 199


@dataclass(frozen=True)
class SmsGatewayConfig:
    url: str
    key: str
    sign: str = ""
    """The signature (短信签名) the gateway prefixes to the text, e.g. 【新乡市政务服务】."""
    timeout: float = 3.0
    """How long to wait for the answer once connected."""


class SmsGateway:
    channel = Channel.SMS

    def __init__(self, config: SmsGatewayConfig, session: requests.Session | None = None) -> None:
        self.config = config
        if session is None:
            session = requests.Session()
            # Explicitly no retries: a retried POST could be a second delivery the adapter cannot see.
            adapter = HTTPAdapter(max_retries=Retry(total=0, raise_on_status=False))
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self._session = session

    def send(self, message: Outgoing) -> None:
        body = {"phone": message.recipient, "template": message.sms_template, "params": message.params,
                "sign": self.config.sign, "out_id": message.key, "text": message.text}
        # Params are template values, shown as text: anything JSON cannot hold is sent as its str.
        data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
        headers = {"Authorization": f"Bearer {self.config.key}", "Content-Type": "application/json; charset=utf-8"}
        try:
            response = self._session.post(self.config.url, data=data, headers=headers, allow_redirects=False,
                                          timeout=(CONNECT_TIMEOUT, self.config.timeout))
        except requests.Timeout:
            raise DeliveryFailed(_cut(f"SMS gateway: no answer within {self.config.timeout:g} s")) from None
        except requests.RequestException as err:
            raise DeliveryFailed(_cut(f"SMS gateway: no connection ({_cause(err)})")) from None
        judge(response.status_code, response.content)


def judge(status: int, content: bytes) -> None:
    """Return if the gateway took the message; otherwise ``DeliveryFailed`` with the status and the
    gateway's code, permanent if sending it again cannot help."""
    answer = _json(content)
    code = str(answer.get("code") or "") if answer is not None else ""
    detail = str(answer.get("message") or "") if answer is not None else ""
    reason = _cut(" ".join(part for part in ("SMS gateway: HTTP", str(status), code, detail) if part))
    if status >= 500 or status in RETRYABLE_STATUS:
        raise DeliveryFailed(reason)
    if code == "DUPLICATE":
        return
    if code in REFUSED or 400 <= status < 500:
        raise DeliveryFailed(reason, permanent=True)
    if not 200 <= status < 300:
        raise DeliveryFailed(reason)
    if answer is None:
        raise DeliveryFailed(_cut(f"SMS gateway: HTTP {status}, answer not JSON"))
    if code not in TAKEN:
        raise DeliveryFailed(_cut(f"{reason}: unexpected code" if code else f"{reason}, answer without a code"))


def _json(content: bytes) -> dict[str, Any] | None:
    """The answer as a JSON object, or None if it is not one."""
    try:
        answer = json.loads(content)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def _cause(err: requests.RequestException) -> str:
    """The innermost reason requests and urllib3 give, by type (the message repeats the URL)."""
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return type(reason or err).__name__


def _cut(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[:MAX_REASON - 1] + "…"
