"""A bundle's complete guide (一次告知), its unified form pre-filled for an applicant (一表申请),
and the e-licences an applicant holds."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor
from api.cases import ctx
from engine.domain.errors import InvalidInput
from engine.services.catalogue import catalogue_entries, get_bundle_catalogue, get_prefilled_form
from engine.services.catalogue_admin import (
    PutBundleDefinition,
    PutCatalogueEntry,
    put_bundle_definition,
    put_catalogue_entry,
)
from engine.services.catalogue_cache import BundleCatalogue
from forms.unified import fillable_fields

blp = Blueprint("catalogue", __name__, url_prefix="/api/bundles", description="一次告知：办事指南与一表申请")


class EntrySchema(Schema):
    definition = fields.Dict(required=True,
                             metadata={"description": "条目或一件事定义，格式见 bpmn/catalogue/FORMAT.md"})


class FormArgsSchema(Schema):
    applicant = fields.String(validate=validate.Length(max=18),
                              metadata={"description": "申请人身份证号码或统一社会信用代码：按已有数据和电子证照预填"})
    agent = fields.String(validate=validate.Length(max=18), metadata={
        "description": "企业申请时经办人的身份证号码：其人口库信息预填经办人本人的字段"})
    about = fields.List(fields.String(validate=validate.Length(min=3, max=100)), metadata={
        "description": ("表单中指明他人的字段及其证件号码，形如 employee_id_number:410702…（可重复）："
                        "按此人的共享数据预填其字段")})
    draft = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": ("窗口为本次受理取的编号：此时调用共享数据的留痕记录在受理时归入办件"
                        "（POST /api/cases 的 draft）")})
    choose = fields.List(fields.String(validate=validate.Length(min=3, max=160)), metadata={
        "description": ("同类登记记录有多条时窗口选定的一条，形如 property:410702…（范围:记录编号，可重复；"
                        "范围见 records_to_choose）")})


def guide_view(cat: BundleCatalogue) -> dict[str, Any]:
    bundle, form, checklist = cat.bundle, cat.form(), cat.checklist()
    items = []
    for item in bundle.items:
        items.append({
            "code": item.code, "name": item.name, "department": item.department,
            "department_name": bundle.department_name(item.department),
            "statutory_days": item.statutory_days, "promised_days": item.promised_days, "fee": item.fee,
            "basis": item.basis, "estimated": list(item.estimated), "requires": list(item.requires),
            "grants": item.grants, "trips_alone": item.trips_alone, "steps_alone": item.steps_alone,
            "issues": [{"key": k, "name": cat.materials.get(k, {}).get("name", k)} for k in item.issues],
            "uses": [{"key": k, "name": cat.materials.get(k, {}).get("name", k)} for k in item.uses],
            "special_procedures": [asdict(p) for p in item.special_procedures],
            "materials": [{"key": m.key, "kind": m.kind, "name": cat.materials.get(m.key, {}).get("name", m.key)}
                          for m in item.materials],
            "fields": list(item.fields),
        })
    return {
        "code": bundle.code, "name": bundle.name, "departments": bundle.departments,
        "subject": cat.subject.as_dict(), "tolerance_days": bundle.tolerance_days, "sources": list(bundle.sources),
        "published": list(bundle.published), "items": items,
        "materials": [{**asdict(e), "items": list(e.items)} for e in checklist.entries],
        "materials_alone": checklist.materials_alone, "materials_unified": len(checklist.entries),
        "form": {"fields_alone": form.fields_alone, "fields_unified": len(form.fields), "groups": form.groups(),
                 "labels": {f.key: f.label for f in form.fields}, "schema": form.json_schema()},
        "shared_data": shared_data_coverage(cat),
    }


def shared_data_coverage(cat: BundleCatalogue) -> dict[str, Any]:
    """How much of the bundle shared data can do: the fields a registry can fill (about the applicant
    or about someone the form names), those only an e-licence can, and the materials a record replaces."""
    registry, licence = fillable_fields(cat.form())
    return {"fields_by_registry": registry, "fields_by_elicence_only": licence,
            "materials_by_registry": {e.key: e.registry for e in cat.checklist().entries if e.registry}}


@blp.route("/<string:code>/guide")
class BundleGuide(MethodView):
    @blp.response(200)
    def get(self, code: str) -> dict[str, Any]:
        """The complete guide of a bundle: items, departments, limits, fees, materials, form fields"""
        return guide_view(get_bundle_catalogue(ctx(), code))


@blp.route("/<string:code>/form")
class BundleForm(MethodView):
    @blp.arguments(FormArgsSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """The unified form (JSON Schema, order, groups), pre-filled for the applicant from shared data
        and the e-licences they hold; the checklist with the materials those licences waive"""
        found = get_prefilled_form(ctx(), code, args.get("applicant"), args.get("agent"), current_actor(),
                                   args.get("draft"), _pairs("about", args.get("about", [])),
                                   _pairs("choose", args.get("choose", [])))
        held, records = found.held.licence_types, found.held.registry_kinds
        return {
            "subject": found.catalogue.subject.as_dict(),
            "schema": found.form.json_schema(), "groups": found.form.groups(),
            "prefilled": {k: {"value": p.value, "source": p.source, "origin": p.origin, "label": p.label,
                              "ref": p.ref} for k, p in found.prefilled.items()},
            "fields_unified": len(found.form.fields), "fields_to_fill": len(found.form.fields) - len(found.prefilled),
            "licences_held": sorted(held),
            "records_held": sorted(records),
            "sources_unavailable": found.held.shared.unavailable(),
            "records_to_choose": found.held.shared.choices(),
            "materials": [{**asdict(e), "items": list(e.items), "waived_by_elicence": e.elicence in held,
                           "waived_by_record": e.registry in records} for e in found.checklist.entries],
            "materials_to_submit": sum(1 for e in found.checklist.entries
                                       if e.elicence not in held and e.registry not in records),
            "tolerance_allowed": not found.held.bad_credit,
        }


_PAIRS = {"about": ("field:ID number", "字段:证件号码"), "choose": ("scope:record reference", "范围:记录编号")}


def _pairs(name: str, pairs: list[str]) -> dict[str, str]:
    """``key:value`` pairs (``about``: field and ID number; ``choose``: scope and record); one without
    its colon is refused."""
    bad = [pair for pair in pairs if ":" not in pair]
    if bad:
        english, chinese = _PAIRS[name]
        raise InvalidInput(f"{name} must be {english}", f"{name} 参数应为“{chinese}”",
                           {name: [f"格式有误：{pair}" for pair in bad]})
    return dict(pair.split(":", 1) for pair in pairs)


admin = Blueprint("catalogue_admin", __name__, url_prefix="/api/catalogue",
                  description="目录管理（系统管理员）：表单字段、材料、电子证照类型、一件事定义")


@admin.route("/<string:kind>")
class CatalogueEntries(MethodView):
    @admin.response(200)
    def get(self, kind: str) -> dict[str, Any]:
        """A dictionary of the catalogue: fields, materials or licences"""
        return catalogue_entries(ctx(), kind)


@admin.route("/<string:kind>/<string:key>")
class CatalogueEntry(MethodView):
    @admin.arguments(EntrySchema())
    @admin.response(200)
    def put(self, body: dict[str, Any], kind: str, key: str) -> dict[str, Any]:
        """Add or change one entry; refused when invalid or when it would break a bundle"""
        return put_catalogue_entry(PutCatalogueEntry(kind, key, body["definition"], current_actor()), ctx())


@blp.route("/<string:code>/definition")
class BundleDefinition(MethodView):
    @blp.arguments(EntrySchema())
    @blp.response(200)
    def put(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """Change a bundle's definition (items' limits, fees, materials, fields, dependencies); its
        items must stay those of the deployed flow"""
        return put_bundle_definition(PutBundleDefinition(code, body["definition"], current_actor()), ctx())
