"""A new bundle composed by an administrator from items the catalogue already holds (the items of
other bundles): each item keeps its reviewed figures, materials and fields, takes a code under the
new bundle's prefix, and keeps the links (前置, 联动) that hold among the items chosen. A material
one chosen item issues and another asks for becomes a link (the second uses the first's result);
one whose issuer was not chosen is asked for at intake, as when the item is applied for alone."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.domain.catalogue_rules import SUBJECT_KINDS

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
PREFIX = re.compile(r"^[A-Z]{2,4}$")
HAN = re.compile(r"[\u4e00-\u9fff]")
MAX_ITEMS = 20
TOLERANCE_CAP = 5
"""Working days a new bundle gives for missing secondary materials (容缺), at most: never more than
the shortest limit of the items that have secondary materials."""


@dataclass(frozen=True)
class NewBundle:
    code: str
    name: str
    number_prefix: str
    items: tuple[str, ...]
    subject: str | None = None
    tolerance_days: int | None = None


@dataclass(frozen=True)
class SourceItem:
    """A catalogue item as its bundle defines it."""

    bundle: Mapping[str, Any]
    item: Mapping[str, Any]

    @property
    def code(self) -> str:
        return str(self.item["code"])


@dataclass
class Composition:
    definition: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, message: str) -> None:
        self.problems.setdefault(path, []).append(message)


def catalogue_items(bundles: Sequence[Mapping[str, Any]]) -> dict[str, SourceItem]:
    """Every item of the given bundle definitions, by its code."""
    return {str(item["code"]): SourceItem(bundle, item) for bundle in bundles for item in bundle.get("items") or ()}


def header_problems(new: NewBundle, bundles: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The new bundle's code, name and number prefix: well formed and not taken."""
    found = Composition()
    if not CODE.fullmatch(new.code):
        found.add("code", "须为 2–40 位小写字母、数字或下划线，以字母开头（如 food_shop）")
    elif any(b.get("code") == new.code for b in bundles):
        found.add("code", f"编码 {new.code} 已被其他一件事使用")
    if not (2 <= len(new.name.strip()) <= 60) or not HAN.search(new.name):
        found.add("name", "须为 2–60 字的中文名称（如“开办面包店一件事”）")
    elif any(b.get("name") == new.name.strip() for b in bundles):
        found.add("name", f"名称“{new.name.strip()}”已被其他一件事使用")
    if not PREFIX.fullmatch(new.number_prefix):
        found.add("number_prefix", "须为 2–4 位大写字母（办件编号的前缀，如 MB）")
    elif any(b.get("number_prefix") == new.number_prefix for b in bundles):
        found.add("number_prefix", f"前缀 {new.number_prefix} 已被其他一件事使用")
    if new.subject is not None and new.subject not in SUBJECT_KINDS:
        found.add("subject", f"须为 {'、'.join(SUBJECT_KINDS)} 之一（个人、家庭事项、已设立的企业、设立中的企业）")
    if new.tolerance_days is not None and not 0 <= new.tolerance_days <= 3650:
        found.add("tolerance_days", "须为 0 至 3650 的整数工作日，或留空")
    if not new.items:
        found.add("items", "请至少选择一个事项")
    elif len(new.items) > MAX_ITEMS:
        found.add("items", f"一件事最多 {MAX_ITEMS} 个事项")
    return found.problems


def compose_bundle(new: NewBundle, bundles: Sequence[Mapping[str, Any]], today: str) -> Composition:
    """The new bundle's definition from the chosen items (``today``: the date named in its sources),
    or the problems with the choice."""
    found = Composition(problems=header_problems(new, bundles))
    known = catalogue_items(bundles)
    chosen: list[SourceItem] = []
    for n, code in enumerate(new.items):
        if code not in known:
            found.add(f"items[{n}]", f"目录中没有事项 {code}")
        elif any(s.code == code for s in chosen):
            found.add(f"items[{n}]", f"事项 {code} 重复选择")
        else:
            chosen.append(known[code])
    subjects = {str(s.bundle.get("subject", "person")) for s in chosen}
    subject = new.subject or (subjects.pop() if len(subjects) == 1 else None)
    if subject is None and chosen:
        found.add("subject", "所选事项来自办理对象不同的一件事，"
                             "请指明办理对象（个人、家庭事项、已设立的企业、设立中的企业）")
    if found.problems:
        return found
    codes = _new_codes(new.number_prefix, chosen)
    items = _linked_items(chosen, codes, known)
    departments = {"window": "综合窗口"}
    for source in chosen:
        department = str(source.item["department"])
        departments.setdefault(department, str((source.bundle.get("departments") or {}).get(department, department)))
    origins = list(dict.fromkeys(str(s.bundle["name"]) for s in chosen))
    sources = [f"[E] 由系统管理员于 {today} 以{'、'.join(origins)}的事项组合而成；"
               "各事项的时限、材料、表单和单独办理的基线沿用其所在一件事的数据与来源"]
    sources += list(dict.fromkeys(line for s in chosen for line in s.bundle.get("sources") or ()))
    found.definition = {
        "code": new.code, "name": new.name.strip(), "number_prefix": new.number_prefix, "process_id": new.code,
        "subject": subject, "departments": departments, "sources": sources,
        "tolerance_days": new.tolerance_days if new.tolerance_days is not None else _tolerance(items),
        "published": [], "items": items,
    }
    return found


def _new_codes(prefix: str, chosen: Sequence[SourceItem]) -> dict[str, str]:
    """Each chosen item's code under the new prefix, keeping its suffix (two chosen items with the same
    suffix are told apart by their old prefix)."""
    suffixes = [s.code.partition(".")[2] for s in chosen]
    codes: dict[str, str] = {}
    for source, suffix in zip(chosen, suffixes, strict=True):
        if suffixes.count(suffix) > 1:
            suffix = f"{suffix}_{source.code.partition('.')[0]}"
        codes[source.code] = f"{prefix.lower()}.{suffix}"
    return codes


def _before(code: str, known: Mapping[str, SourceItem]) -> set[str]:
    """Every item decided before ``code`` in its own bundle."""
    found: set[str] = set()
    waiting = [str(r) for r in known[code].item.get("requires") or ()]
    while waiting:
        current = waiting.pop()
        if current not in found and current in known:
            found.add(current)
            waiting.extend(str(r) for r in known[current].item.get("requires") or ())
    return found


def _linked_items(chosen: Sequence[SourceItem], codes: Mapping[str, str],
                  known: Mapping[str, SourceItem]) -> list[dict[str, Any]]:
    issuer = {str(key): s.code for s in chosen for key in s.item.get("issues") or ()}
    items: list[dict[str, Any]] = []
    for source in chosen:
        item = copy.deepcopy(dict(source.item))
        requires = {r for r in _before(source.code, known) if r in codes}
        materials, uses = [], []
        for material in item.get("materials") or ():
            maker = issuer.get(str(material.get("key")))
            if maker is not None and maker != source.code and source.code not in _before(maker, known):
                uses.append(str(material["key"]))
                requires.add(maker)
            else:
                materials.append(material)
        for key in item.get("uses") or ():
            if key in issuer:
                uses.append(str(key))
                requires.add(issuer[key])
            else:
                materials.append({"key": key, "kind": "key"})
        item["code"] = codes[source.code]
        item["materials"] = materials
        item["uses"] = list(dict.fromkeys(uses))
        item["requires"] = sorted(codes[r] for r in requires)
        for key in ("uses", "requires"):
            if not item[key]:
                del item[key]
        items.append(item)
    return items


def _tolerance(items: Sequence[Mapping[str, Any]]) -> int | None:
    limits = [min(d for d in (i.get("promised_days"), i.get("statutory_days")) if d is not None)
              for i in items if any(m.get("kind") == "secondary" for m in i.get("materials") or ())]
    return min([TOLERANCE_CAP, *limits]) if limits else None
