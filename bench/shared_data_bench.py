"""Intake latency with shared data: the window accepts cases of first-time applicants whom the demo
registries know, through the Flask test client, with the registries answered by the embedded tables
and then by the HTTP adapter against a platform on loopback serving the same records:

    python bench/shared_data_bench.py [--cases 200] [--pg-url postgresql://postgres@127.0.0.1:5432/bench]

Each intake asks the registries twice, as the window does: the form for the applicant (GET
/api/bundles/newborn/form?applicant=…), then the case (POST /api/cases). Every applicant is new, so
the adapter's cache never answers the form's lookups (it does answer the intake's, as in the window's
real sequence). Prints p50/p95/max milliseconds of the form and of the intake for each source, and
the platform's requests per intake.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.1f}  p95 {p95:6.1f}  max {ordered[-1]:6.1f}"


def platform_records(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    from engine.domain.registries import KINDS

    return {kind: [{"ref": str(row[KINDS[kind].key]), "name": str(row.get(KINDS[kind].name_column) or ""),
                    "attributes": row, "subjects": list(KINDS[kind].subjects_of(row))} for row in found]
            for kind, found in rows.items()}


def main() -> None:
    from api import create_app
    from engine.bootstrap import Settings, build_engine
    from engine.services.accounts import DEMO_PASSWORD
    from engine.services.catalogue import get_bundle_catalogue
    from engine.services.demo_registries import demo_registries
    from engine.services.registry_sources import EmbeddedRegistries
    from engine.sources.http_registry import HttpRegistries, HttpRegistryConfig
    from forms.samples import sample_values
    from tests.registry_platform import TOKEN, running_platform

    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200, help="at most one per mother of the demo births")
    parser.add_argument("--pg-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg_url or f"sqlite:///{tmp}/bench.sqlite3"
        if args.pg_url:
            from tests.conftest import reset_postgres
            reset_postgres(args.pg_url)
        engine = build_engine(Settings(database_url=url, demo_users=True, demo_registries=True))
        client = create_app({"ENGINE": engine}).test_client()
        token = client.post("/api/auth/login", json={"login": "clerk", "password": DEMO_PASSWORD}).json
        headers = {"Authorization": f"Bearer {token['token']}"}
        today = engine.settings.clock().date()
        demo = demo_registries(today)
        catalogue = get_bundle_catalogue(engine.ctx, "newborn")
        mothers = [row["mother_id_number"] for row in demo.rows["birth"]]
        cases = min(args.cases, len(mothers))  # each a mother the registries know, none twice
        people = {p.id_number: p for p in demo.people}
        embedded = EmbeddedRegistries(engine.ctx.uow)
        with running_platform(platform_records(demo.rows)) as platform:
            http = HttpRegistries(HttpRegistryConfig(platform.url, TOKEN), fallback=embedded)
            for name, registries in (("embedded", embedded), ("http", http)):
                engine.ctx.registries = registries
                forms, intakes, hits = [], [], sum(platform.hits.values())
                for n in range(cases):
                    person = people[mothers[n]]
                    applicant = {"name": person.name, "id_number": person.id_number, "phone": person.phone,
                                 "address": person.address, "relation": "母亲"}
                    started = time.perf_counter()
                    spec = client.get(f"/api/bundles/newborn/form?applicant={person.id_number}&draft=b{name}{n}",
                                      headers=headers).json
                    forms.append((time.perf_counter() - started) * 1000)
                    values = sample_values(catalogue.form(), catalogue.subject.form_values(applicant))
                    body = {"bundle": "newborn", "applicant": applicant, "draft": f"b{name}{n}",
                            "form": {k: v for k, v in values.items() if k not in spec["prefilled"]},
                            "materials": {m["key"]: "submitted" for m in spec["materials"]
                                          if not m["waived_by_record"] and not m["waived_by_elicence"]}}
                    started = time.perf_counter()
                    answer = client.post("/api/cases", json=body, headers=headers)
                    intakes.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 201, answer.json
                    if n == 0:
                        prefilled = len(spec["prefilled"])
                asked = (sum(platform.hits.values()) - hits) / cases
                print(f"{name:8} {'PostgreSQL' if args.pg_url else 'SQLite':10} {cases} intakes, "
                      f"{prefilled} of {len(catalogue.form().fields)} fields pre-filled, "
                      f"{asked:.1f} platform requests per intake")
                print(f"  form   ms {percentiles(forms)}")
                print(f"  intake ms {percentiles(intakes)}")
        engine.db.dispose()


if __name__ == "__main__":
    main()
