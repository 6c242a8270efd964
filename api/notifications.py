"""What the applicant was told of a case (通知) and whether it reached them, per channel."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.access import current_principal
from api.applicant_cases import delivery_view
from api.cases import ctx
from engine.domain.notifications import Channel
from engine.services.applicant_actions import case_delivery
from engine.services.notifications import case_notifications
from forms.identifiers import mask_phone

blp = Blueprint("notifications", __name__, url_prefix="/api/cases",
                description="办件通知：告知申请人的短信、邮件和站内消息及其送达情况")

LABELS = {"sms": "短信", "email": "电子邮件", "inapp": "站内消息"}
STATES = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败"}


def _recipient(channel: str, recipient: str, personal: bool) -> str:
    if personal:
        return recipient
    if channel == Channel.EMAIL:
        return recipient[:2] + "***"
    return mask_phone(recipient)  # an SMS, or the in-app inbox of the account with that number


@blp.route("/<string:ref>/notifications")
class CaseNotifications(MethodView):
    @blp.response(200)
    def get(self, ref: str) -> dict[str, Any]:
        """Each notice the applicant was sent about the case, per channel, with its delivery state"""
        case, personal, messages = case_notifications(ctx(), ref, current_principal())
        return {"case": case.number, "notifications": [{
            "id": m.id, "kind": str(m.kind), "channel": str(m.channel), "channel_label": LABELS[str(m.channel)],
            "recipient": _recipient(str(m.channel), m.recipient, personal), "state": str(m.state),
            "state_label": STATES[str(m.state)], "attempts": m.attempts, "created_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            "next_attempt_at": m.next_attempt_at.isoformat() if m.next_attempt_at and str(m.state) == "pending"
            else None, "error": m.last_error} for m in messages]}


@blp.route("/<string:ref>/delivery")
class CaseDelivery(MethodView):
    @blp.response(200)
    def get(self, ref: str) -> dict[str, Any]:
        """How the applicant chose to receive the results (e-licence, mail to an address, a pickup slot)"""
        choice, personal = case_delivery(ctx(), ref, current_principal())
        view = delivery_view(choice)
        if view is not None and not personal:
            view["address"] = "***" if view["address"] else None
        return {"delivery": view}
