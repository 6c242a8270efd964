"""Cases: the window starts them and hands over their results; everyone reads them."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.access import current_actor, current_principal
from api.idempotency import request_key
from api.list_args import CaseListArgsSchema
from api.presented import presented
from api.presenters import case_detail, case_summary
from api.schemas import (
    CaseDetailSchema,
    CasePageSchema,
    PickupSchema,
    StartCaseSchema,
    SupplyMaterialsSchema,
    hand_over,
)
from engine.services import views
from engine.services.case_search import SearchCases, page_mark, search_cases
from engine.services.cases import PickUp, StartCase, pick_up, start_case
from engine.services.context import ServiceContext
from engine.services.materials import SupplyMaterials, supply_materials
from engine.services.shared_data_audit import CaseSharedDataView, get_case_shared_data
from engine.services.transactions import Applied
from forms.identifiers import mask_id

blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="办件：受理、查询、统一出件")


def ctx() -> ServiceContext:
    return current_app.extensions["onething"].ctx  # type: ignore[no-any-return]


_DETAIL = CaseDetailSchema()


def shared_data_view(found: CaseSharedDataView) -> dict[str, Any]:
    """Values and subjects masked for whoever may not see the applicant's data."""
    shared = found.shared

    def value(v: Any) -> Any:
        return v if found.personal_data else "***"

    return {
        "number": found.number,
        "recorded": shared is not None,
        "fields": {key: {**f, "source_value": value(f["source_value"]), "ref": value(f["ref"])}
                   for key, f in (shared.fields if shared else {}).items()},
        "materials": {key: {**m, "ref": value(m["ref"])} for key, m in (shared.materials if shared else {}).items()},
        "sources_unavailable": shared.unavailable if shared else [],
        "authorization": shared.authorization if shared else None,
        "lookups": [{"id": e.id, "occurred_at": e.occurred_at.isoformat(), "user": e.user, "purpose": e.purpose,
                     "source": e.source, "kind": e.kind,
                     "subject": e.subject if found.personal_data else mask_id(e.subject),
                     "attributes": e.attributes, "outcome": e.outcome, "records": e.records,
                     "values_returned": e.values_returned, "milliseconds": e.milliseconds, "error": e.error}
                    for e in found.lookups],
    }


def _detail(ref: str) -> dict[str, Any]:
    return case_detail(views.get_case(ctx(), ref, current_principal()), ctx())


def _answer(applied: Applied) -> Response:
    """The changed case: as the change's own transaction read it, else read again (a replay)."""
    me = current_principal()
    detail = case_detail(applied.detail, ctx(), {me.login: me.name}) if applied.detail else _detail(applied.resource_id)
    return presented(_DETAIL, detail, applied.status_code)


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseListArgsSchema(), location="query")
    @blp.response(200, CasePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search cases (办件查询): by a free query ``q``, status, bundle, department and acceptance dates,
        sorted by ``sort`` and ``order`` (newest first by default)"""
        page = search_cases(SearchCases(
            current_principal(), q=args.get("q"), status=args.get("status"), bundle_code=args.get("bundle"),
            accepted_from=args.get("accepted_from"), accepted_to=args.get("accepted_to"), page=args["page"],
            per_page=args["per_page"], department=args.get("department"), service_point=args.get("service_point"),
            level=args.get("level"), sort=args["sort"],
            descending=args["order"] == "desc", after=args.get("after")), ctx())
        mark = None if page.next_key is None else page_mark(args["sort"], args["order"] == "desc", page.next_key)
        return {"items": [case_summary(c) for c in page.items], "total": page.total,
                "total_exact": page.total_exact, "page": page.page, "per_page": page.per_page, "next": mark}

    @blp.arguments(StartCaseSchema())
    @blp.response(201, CaseDetailSchema)
    def post(self, body: dict[str, Any]) -> Response:
        """Start a case at the window (一窗受理); answers the case number and the receipt"""
        applied = start_case(StartCase(bundle_code=body["bundle"], applicant=body["applicant"],
                                       channel=body["channel"], form=body["form"], materials=body["materials"],
                                       actor=current_actor(), request_key=request_key(body),
                                       viewer=current_principal(), authorization=body["authorization"],
                                       draft=body.get("draft"), choose=body["choose"],
                                       booking=body.get("booking"), ticket=body.get("ticket"),
                                       handover_point=body.get("handover_point"),
                                       place=body["place"], mandate=body.get("mandate")), ctx())
        return _answer(applied)


@blp.route("/<string:ref>")
class CaseById(MethodView):
    @blp.response(200, CaseDetailSchema)
    def get(self, ref: str) -> Response:
        """A case by id or case number: status, each department's progress, timeline"""
        return presented(_DETAIL, _detail(ref))


@blp.route("/<string:ref>/shared-data")
class CaseSharedDataById(MethodView):
    @blp.response(200)
    def get(self, ref: str) -> dict[str, Any]:
        """Where the case's pre-filled fields and waived materials came from (each field's source value
        beside a correction), the sources that did not answer at intake, the applicant's authorization,
        and every lookup of shared data made for the case"""
        return shared_data_view(get_case_shared_data(ctx(), ref, current_principal()))


@blp.route("/<string:ref>/pickup")
class CasePickup(MethodView):
    @blp.arguments(PickupSchema())
    @blp.response(200, CaseDetailSchema)
    def post(self, body: dict[str, Any], ref: str) -> Response:
        """Unified pickup (统一出件): every granted result and every written refusal together"""
        applied = pick_up(PickUp(case_ref=ref, hand_over=hand_over(body), actor=current_actor(),
                                 request_key=request_key(body), viewer=current_principal()), ctx())
        return _answer(applied)


@blp.route("/<string:ref>/materials")
class CaseMaterials(MethodView):
    @blp.arguments(SupplyMaterialsSchema())
    @blp.response(200, CaseDetailSchema)
    def post(self, body: dict[str, Any], ref: str) -> tuple[dict[str, Any], int]:
        """The window records materials tolerated at acceptance (容缺) that the applicant has now supplied"""
        applied = supply_materials(SupplyMaterials(ref, body["supplied"], current_actor(), request_key(body)), ctx())
        return _detail(applied.resource_id), applied.status_code
