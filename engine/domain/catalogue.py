"""Reading a bundle definition (the reviewed data file beside its BPMN flow) into domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain.model import Bundle, Item, ItemMaterial, SpecialProcedure


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def item_from_dict(i: Mapping[str, Any]) -> Item:
    return Item(
        code=str(i["code"]),
        name=str(i["name"]),
        department=str(i["department"]),
        statutory_days=_optional_int(i.get("statutory_days")),
        promised_days=_optional_int(i.get("promised_days")),
        trips_alone=int(i.get("trips_alone", 2)),
        steps_alone=int(i.get("steps_alone", 4)),
        fee=i.get("fee"),
        basis=i.get("basis"),
        estimated=tuple(str(e) for e in i.get("estimated", ())),
        requires=tuple(str(r) for r in i.get("requires", ())),
        grants=i.get("grants"),
        grants_to=i.get("grants_to"),
        issues=tuple(str(m) for m in i.get("issues", ())),
        uses=tuple(str(m) for m in i.get("uses", ())),
        special_procedures=tuple(SpecialProcedure(str(p["name"]), bool(p.get("pauses_clock", False)))
                                 for p in i.get("special_procedures", ())),
        materials=tuple(ItemMaterial(str(m["key"]), str(m.get("kind", "key"))) for m in i.get("materials", ())),
        fields=tuple(str(f) for f in i.get("fields", ())),
        fields_alone=_optional_int(i.get("fields_alone")),
        materials_alone=_optional_int(i.get("materials_alone")),
        separate_days=_optional_int(i.get("separate_days")),
        inspection=str(i["inspection"]["name"]) if isinstance(i.get("inspection"), dict) else None,
    )


def bundle_from_dict(data: Mapping[str, Any]) -> Bundle:
    return Bundle(
        code=str(data["code"]),
        name=str(data["name"]),
        number_prefix=str(data["number_prefix"]),
        items=tuple(item_from_dict(i) for i in data["items"]),
        departments={str(k): str(v) for k, v in dict(data.get("departments", {})).items()},
        tolerance_days=_optional_int(data.get("tolerance_days")),
        sources=tuple(str(s) for s in data.get("sources", ())),
        published=tuple(dict(p) for p in data.get("published", ())),
        subject=str(data.get("subject", "person")),
    )


def format_case_number(prefix: str, day: str, sequence: int) -> str:
    """办件编号: bundle prefix, acceptance day (Asia/Shanghai, YYYYMMDD) and the day's sequence."""
    return f"{prefix}-{day}-{sequence:05d}"
