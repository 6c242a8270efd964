"""The applicant's channel: the scans of online applications and the delivery each case's
applicant chose (tables/notification.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from engine.domain.applicant_channel import ApplicationFile, DeliveryChoice
from engine.domain.documents import MediaType
from engine.domain.model import Delivery
from engine.persistence import tables as t
from engine.persistence.rows import record_of, values_of

af = t.application_files
cd = t.case_deliveries
ca = t.case_agents
ai = t.applicant_identities


class ApplicationFileRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def replace(self, application_id: int, material_key: str,
                files: Sequence[ApplicationFile]) -> list[ApplicationFile]:
        """The material's files become ``files`` (their ids ignored); answers them with their ids."""
        self.conn.execute(delete(af).where(af.c.application_id == application_id, af.c.material_key == material_key))
        stored = []
        for x in files:
            values = {k: str(v) if k == "media_type" else v for k, v in values_of(x).items() if k != "id"}
            file_id = int(self.conn.execute(insert(af).values(**values).returning(af.c.id)).scalar_one())
            stored.append(ApplicationFile(**{**values_of(x), "id": file_id}))
        return stored

    def of_application(self, application_id: int) -> list[ApplicationFile]:
        rows = self.conn.execute(select(af).where(af.c.application_id == application_id)
                                 .order_by(af.c.material_key, af.c.part))
        found = []
        for row in rows:
            x = record_of(ApplicationFile, row)
            found.append(ApplicationFile(**{**values_of(x), "media_type": MediaType(x.media_type)}))
        return found


class CaseAgentRepository:
    """Who applied online for a case's applicant (委托代办): the agent follows the case too."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, case_id: int, agent_phone: str, at: datetime) -> None:
        self.conn.execute(insert(ca).values(case_id=case_id, agent_phone=agent_phone, recorded_at=at))

    def agent_of(self, case_id: int) -> str | None:
        found = self.conn.execute(select(ca.c.agent_phone).where(ca.c.case_id == case_id)).scalar()
        return None if found is None else str(found)


class ApplicantIdentityRepository:
    """The ID number the unified identity service verified for an applicant's account."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, login: str) -> str | None:
        found = self.conn.execute(select(ai.c.id_number).where(ai.c.login == login)).scalar()
        return None if found is None else str(found)

    def put(self, login: str, id_number: str, subject: str, at: datetime) -> None:
        values = {"id_number": id_number, "subject": subject[:200], "verified_at": at}
        if self.conn.execute(update(ai).where(ai.c.login == login).values(**values)).rowcount == 0:
            self.conn.execute(insert(ai).values(login=login, **values))


class DeliveryRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, case_id: int) -> DeliveryChoice | None:
        row = self.conn.execute(select(cd).where(cd.c.case_id == case_id)).first()
        if row is None:
            return None
        found = record_of(DeliveryChoice, row)
        found.delivery = Delivery(found.delivery)
        return found

    def put(self, choice: DeliveryChoice) -> None:
        values = {k: str(v) if k == "delivery" else v for k, v in values_of(choice).items()}
        if self.conn.execute(update(cd).where(cd.c.case_id == choice.case_id).values(**values)).rowcount == 0:
            self.conn.execute(insert(cd).values(**values))
