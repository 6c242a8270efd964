"""Reading a bundle definition (the reviewed data file beside its BPMN flow) into domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain.model import Bundle, Item


def bundle_from_dict(data: Mapping[str, Any]) -> Bundle:
    items = tuple(
        Item(
            code=str(i["code"]),
            name=str(i["name"]),
            department=str(i["department"]),
            statutory_days=i.get("statutory_days"),
            promised_days=i.get("promised_days"),
            trips_alone=int(i.get("trips_alone", 2)),
            steps_alone=int(i.get("steps_alone", 4)),
        )
        for i in data["items"]
    )
    return Bundle(
        code=str(data["code"]),
        name=str(data["name"]),
        number_prefix=str(data["number_prefix"]),
        items=items,
        departments={str(k): str(v) for k, v in dict(data.get("departments", {})).items()},
    )


def format_case_number(prefix: str, day: str, sequence: int) -> str:
    """办件编号: bundle prefix, acceptance day (Asia/Shanghai, YYYYMMDD) and the day's sequence."""
    return f"{prefix}-{day}-{sequence:05d}"
