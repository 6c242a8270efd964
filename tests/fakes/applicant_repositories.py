"""In-memory scans of online applications and delivery choices, as the persistence keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from engine.domain.applicant_channel import ApplicationFile, DeliveryChoice
from tests.fakes.tables import Tables


class FakeApplicationFileRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def replace(self, application_id: int, material_key: str,
                files: Sequence[ApplicationFile]) -> list[ApplicationFile]:
        for old in self.of_application(application_id):
            if old.material_key == material_key:
                self.tables.delete("application_files", old.id)
        stored = [replace(x, id=self.tables.next_id("application_files")) for x in files]
        for x in stored:
            self.tables.put("application_files", x.id, x)
        return stored

    def of_application(self, application_id: int) -> list[ApplicationFile]:
        return sorted((x for x in self.tables.all("application_files") if x.application_id == application_id),
                      key=lambda x: (x.material_key, x.part))


class FakeCaseAgentRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, case_id: int, agent_phone: str, at: datetime) -> None:
        self.tables.put("case_agents", case_id, agent_phone)

    def agent_of(self, case_id: int) -> str | None:
        found: str | None = self.tables.get("case_agents", case_id)
        return found


class FakeApplicantIdentityRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def get(self, login: str) -> str | None:
        found: str | None = self.tables.get("applicant_identities", login)
        return found

    def put(self, login: str, id_number: str, subject: str, at: datetime) -> None:
        self.tables.put("applicant_identities", login, id_number)


class FakeDeliveryRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def get(self, case_id: int) -> DeliveryChoice | None:
        found: DeliveryChoice | None = self.tables.get("case_deliveries", case_id)
        return None if found is None else replace(found)

    def put(self, choice: DeliveryChoice) -> None:
        self.tables.put("case_deliveries", choice.case_id, replace(choice))
