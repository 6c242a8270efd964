"""A bundle with what its guide and form need from the catalogue's dictionaries, built once per
process and rebuilt when the bundle or the catalogue changes."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from engine.domain.catalogue import bundle_from_dict
from engine.domain.model import Bundle
from engine.domain.service_points import ServicePoint, service_point_of, unit_names
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import Checklist, build_checklist
from forms.subjects import Subject, subject_of
from forms.unified import UnifiedForm, build_unified_form


@dataclass
class BundleCatalogue:
    """A bundle with what its guide and form need from the dictionaries."""

    definition: dict[str, Any]
    bundle: Bundle
    fields: dict[str, dict[str, Any]]
    materials: dict[str, dict[str, Any]]
    licences: dict[str, dict[str, Any]]
    points: dict[str, ServicePoint]
    """The service points, to route the bundle's departments to their units (``route``)."""

    @cached_property
    def _form(self) -> UnifiedForm:
        return build_unified_form(self.definition["items"], self.fields, self.subject.issued_fields)

    @cached_property
    def subject(self) -> Subject:
        return subject_of(self.bundle.subject)

    @cached_property
    def _checklist(self) -> Checklist:
        return build_checklist(self.definition["items"], self.materials)

    def form(self) -> UnifiedForm:
        return self._form

    def checklist(self) -> Checklist:
        return self._checklist


class CatalogueCache:
    """Bundles with their built form and checklist, per process, keyed by what they were built
    from: the bundle's definition and the catalogue's stamp. An edit changes the key."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[dict[str, Any], str, BundleCatalogue]] = {}

    def peek(self, code: str) -> BundleCatalogue | None:
        """The bundle as last built in this process, without asking whether it is still current:
        for what may be a change behind (which registries an intake asks before its transaction
        reads the bundle again)."""
        cached = self._entries.get(code)
        return cached[2] if cached is not None else None

    def get(self, uow: UnitOfWork, definition: dict[str, Any]) -> BundleCatalogue:
        stamp = uow.catalogue.stamp()
        code = str(definition["code"])
        cached = self._entries.get(code)
        if cached is not None and cached[1] == stamp and cached[0] == definition:
            return cached[2]
        points = {code: service_point_of(code, d) for code, d in uow.catalogue.entries("service_point").items()}
        bundle = bundle_from_dict(definition)
        bundle = replace(bundle, departments={**bundle.departments, **unit_names(points, bundle.departments)})
        built = BundleCatalogue(definition, bundle, uow.catalogue.entries("field"),
                                uow.catalogue.entries("material"), uow.catalogue.entries("licence"), points)
        built.form(), built.checklist()  # build (and check) them now, once
        self._entries[code] = (copy.deepcopy(definition), stamp, built)
        return built
