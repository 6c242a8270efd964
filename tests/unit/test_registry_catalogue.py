"""The catalogue and the registries agree: every prefill path into a registry names one of its
columns, every material a registry replaces names a registry kind, and the form library knows every
kind as a prefill root."""

from __future__ import annotations

import json
from pathlib import Path

from engine.domain.registries import KINDS
from forms.unified import PREFILL_ROOTS

CATALOGUE = Path(__file__).resolve().parents[2] / "bpmn" / "catalogue"


def test_every_registry_path_of_the_fields_names_a_column_of_its_kind() -> None:
    fields = json.loads((CATALOGUE / "fields.json").read_text(encoding="utf-8"))
    paths = [p for f in fields.values() for p in ([f["prefill"]] if isinstance(f.get("prefill"), str)
                                                    else f.get("prefill", []))]
    into_registries = [p for p in paths if p.split(".")[0] in KINDS]
    assert len(into_registries) > 30
    for path in into_registries:
        base, _, about = path.partition("@")
        kind, attribute = base.split(".")
        assert KINDS[kind].column(attribute) is not None, path
        assert not about or about in fields, path  # the field naming whom it is about
    assert all(f.get("prefill_basis", "").startswith(("[E]", "[S", "[L")) for f in fields.values() if f.get("prefill"))


def test_every_fields_basis_quotes_the_registry_and_attribute_each_of_its_paths_reads() -> None:
    fields = json.loads((CATALOGUE / "fields.json").read_text(encoding="utf-8"))
    licences = json.loads((CATALOGUE / "licences.json").read_text(encoding="utf-8"))
    quoted = 0
    for key, spec in fields.items():
        paths = [spec["prefill"]] if isinstance(spec.get("prefill"), str) else spec.get("prefill", [])
        for path in paths:
            root, *rest = path.partition("@")[0].split(".")
            if root == "licence":
                named = f"电子证照·{licences[rest[0]]['name']}"
            else:
                kind = KINDS[root]
                column = kind.column(rest[0])
                assert column is not None, path
                named = f"{kind.name}·{column.label}"
            assert named in spec["prefill_basis"], (key, named)
            quoted += 1
    assert quoted > 50


def test_every_material_a_registry_replaces_names_a_kind_and_every_kind_is_a_prefill_root() -> None:
    materials = json.loads((CATALOGUE / "materials.json").read_text(encoding="utf-8"))
    kinds = {m["registry"] for m in materials.values() if "registry" in m}
    assert kinds and kinds <= set(KINDS)
    assert all(PREFILL_ROOTS.get(kind) == 2 for kind in KINDS)


def test_each_kind_is_found_by_its_subject_columns() -> None:
    property_kind = KINDS["property"]
    row = {"owners": "410702199001010023; 91410700MA0000000X ;410702199001010023"}
    assert property_kind.subjects_of(row) == ("410702199001010023", "91410700MA0000000X")
    assert KINDS["marriage"].subjects_of({"husband_id_number": "a", "wife_id_number": "b"}) == ("A", "B")
    for kind in KINDS.values():
        assert kind.column(kind.key) is not None and kind.column(kind.key).required  # type: ignore[union-attr]
        assert all(kind.column(s) is not None for s in kind.subjects)
