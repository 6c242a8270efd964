"""The material checklist (一套材料): the items' materials de-duplicated by canonical key, and the
window's assessment of what the applicant hands over, replaces by an e-licence (免提交) or by a written
commitment (告知承诺), or is accepted with a gap (容缺受理)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from forms.unified import item_baseline

KINDS = ("key", "secondary")


class MaterialStatus(StrEnum):
    SUBMITTED = "submitted"  # handed over on paper (or scanned) at the window
    ELICENCE = "elicence"  # replaced by an e-licence the applicant holds (免提交)
    SHARED = "shared"  # replaced by a record of a registry the government holds (共享核验, 免提交)
    COMMITMENT = "commitment"  # replaced by a written commitment (告知承诺)
    TOLERATED = "tolerated"  # secondary, to be supplied later (容缺受理)
    MISSING = "missing"


SATISFIED = frozenset({MaterialStatus.SUBMITTED, MaterialStatus.ELICENCE, MaterialStatus.SHARED,
                       MaterialStatus.COMMITMENT})


@dataclass(frozen=True)
class ChecklistEntry:
    key: str
    name: str
    kind: str  # "key" if any item asks for it as key, else "secondary"
    items: tuple[str, ...]
    elicence: str | None
    commitment_allowed: bool
    registry: str | None = None
    """The registry kind whose record about the applicant replaces it (a marriage record for the
    marriage certificate), if any."""

    @property
    def is_key(self) -> bool:
        return self.kind == "key"


@dataclass(frozen=True)
class Checklist:
    entries: tuple[ChecklistEntry, ...]
    materials_alone: int  # the items' materials counted one item at a time, duplicates included

    def get(self, key: str) -> ChecklistEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(e.key for e in self.entries)


def _material(key: str, data: Mapping[str, Any]) -> tuple[str, str | None, bool, str | None]:
    name, elicence, commitment = data.get("name"), data.get("elicence"), data.get("commitment", False)
    registry = data.get("registry")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"material {key!r}: name must be a non-empty string")
    if elicence is not None and (not isinstance(elicence, str) or not elicence):
        raise ValueError(f"material {key!r}: elicence must be an e-licence type")
    if registry is not None and (not isinstance(registry, str) or not registry):
        raise ValueError(f"material {key!r}: registry must be a registry kind")
    if not isinstance(commitment, bool):
        raise ValueError(f"material {key!r}: commitment must be true or false")
    return name, elicence, commitment, registry


def build_checklist(items: Sequence[Mapping[str, Any]], material_defs: Mapping[str, Mapping[str, Any]]) -> Checklist:
    """One checklist for the bundle: each material once, in first-appearance order."""
    kinds: dict[str, str] = {}
    asked: dict[str, list[str]] = {}
    alone = 0
    for item in items:
        code = item.get("code")
        if not isinstance(code, str) or not code:
            raise ValueError("an item has no code")
        materials = item.get("materials", [])
        if not isinstance(materials, list | tuple):
            raise ValueError(f"item {code!r}: materials must be a list")
        # Alone, the item also asks for what it now receives inside the case (``uses``, 联动).
        alone += item_baseline(item, "materials_alone", len(materials) + len(item.get("uses", ())))
        for material in materials:
            key = material.get("key") if isinstance(material, Mapping) else None
            if not isinstance(key, str) or key not in material_defs:
                raise ValueError(f"item {code!r} asks for material {key!r}, which materials.json does not define")
            kind = material.get("kind")
            if kind not in KINDS:
                raise ValueError(f"item {code!r}, material {key!r}: kind must be 'key' or 'secondary', not {kind!r}")
            kinds[key] = "key" if kind == "key" or kinds.get(key) == "key" else "secondary"
            codes = asked.setdefault(key, [])
            if code not in codes:
                codes.append(code)
    entries = []
    for key, codes in asked.items():
        name, elicence, commitment, registry = _material(key, material_defs[key])
        entries.append(ChecklistEntry(key, name, kinds[key], tuple(codes), elicence, commitment, registry))
    return Checklist(tuple(entries), alone)


@dataclass(frozen=True)
class Assessment:
    """What the window decided for each material, and why the bundle cannot be accepted yet."""

    statuses: Mapping[str, MaterialStatus]
    errors: Mapping[str, list[str]]

    @property
    def acceptable(self) -> bool:
        return not self.errors

    @property
    def tolerated(self) -> tuple[str, ...]:
        return self._with(MaterialStatus.TOLERATED)

    @property
    def missing(self) -> tuple[str, ...]:
        return self._with(MaterialStatus.MISSING)

    @property
    def submitted_count(self) -> int:
        """Distinct materials actually handed over on paper."""
        return len(self._with(MaterialStatus.SUBMITTED))

    @property
    def waived_count(self) -> int:
        """Materials not handed over because an e-licence, a registry record or a commitment replaces them."""
        return sum(len(self._with(s)) for s in (MaterialStatus.ELICENCE, MaterialStatus.SHARED,
                                                 MaterialStatus.COMMITMENT))

    def _with(self, status: MaterialStatus) -> tuple[str, ...]:
        return tuple(key for key, s in self.statuses.items() if s is status)


def assess(
    checklist: Checklist,
    declared: Mapping[str, str],
    held_licences: Collection[str],
    *,
    tolerance_allowed: bool = True,
    held_records: Collection[str] = (),
) -> Assessment:
    """Check the window's declarations against the rules. `declared` maps a material key to
    submitted / elicence / shared / commitment / tolerated; `held_licences` are the applicant's
    e-licence types, `held_records` the registry kinds holding a record about the applicant.
    `tolerance_allowed` is false for applicants with bad credit records (no 容缺受理 for them)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for key, choice in declared.items():
        if checklist.get(key) is None:
            add(key, "不是本事项材料清单中的材料")
        elif choice not in set(MaterialStatus):
            add(key, f"材料状态无效：{choice}")
    held, records = set(held_licences), set(held_records)
    statuses = {e.key: _status(e, declared.get(e.key), held, records, add) for e in checklist.entries}
    lacking = [e for e in checklist.entries if e.is_key and statuses[e.key] not in SATISFIED]
    for entry in lacking:
        add(entry.key, f"缺少主要材料：{entry.name}")
    tolerated = [e for e in checklist.entries if statuses[e.key] is MaterialStatus.TOLERATED]
    if tolerated and (lacking or not tolerance_allowed):
        if not tolerance_allowed:
            reason = "申请人有不良信用记录，不适用容缺受理"
        else:
            reason = f"容缺受理须主要材料齐全，尚缺：{'、'.join(e.name for e in lacking)}"
        for entry in tolerated:
            add(entry.key, reason)
            statuses[entry.key] = MaterialStatus.MISSING
    for entry in checklist.entries:
        if not entry.is_key and statuses[entry.key] is MaterialStatus.MISSING and entry.key not in errors:
            hint = "（次要材料，可申请容缺受理并签署容缺承诺书）" if tolerance_allowed else ""
            add(entry.key, f"缺少材料：{entry.name}{hint}")
    return Assessment(statuses, errors)


def _status(
    entry: ChecklistEntry, choice: str | None, held: set[str], records: set[str], add: Callable[[str, str], None]
) -> MaterialStatus:
    if entry.elicence is not None and entry.elicence in held:
        return MaterialStatus.ELICENCE  # the government already holds it: never asked again
    if entry.registry is not None and entry.registry in records:
        return MaterialStatus.SHARED  # a registry record replaces it
    if choice == MaterialStatus.SHARED:
        add(entry.key, "共享数据中没有可代替该材料的记录，不能免提交" if entry.registry is not None
            else "该材料不能由共享数据代替，不能免提交")
    elif choice == MaterialStatus.SUBMITTED:
        return MaterialStatus.SUBMITTED
    if choice == MaterialStatus.ELICENCE:
        if entry.elicence is None:
            add(entry.key, "该材料没有对应的电子证照，不能免提交")
        else:
            add(entry.key, "申请人未持有可代替该材料的电子证照，不能免提交")
    elif choice == MaterialStatus.COMMITMENT:
        if entry.commitment_allowed:
            return MaterialStatus.COMMITMENT
        add(entry.key, "该材料不适用告知承诺制，不能以书面承诺代替")
    elif choice == MaterialStatus.TOLERATED:
        if not entry.is_key:
            return MaterialStatus.TOLERATED
        add(entry.key, "主要材料不能容缺受理")
    return MaterialStatus.MISSING
