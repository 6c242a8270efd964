"""Administrators load the embedded registries from CSV and XLSX files: every row checked, the bad
ones reported with their line and reasons, nothing written for a file that cannot be read."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from engine.bootstrap import OneThingEngine
from tests.conftest import ADMIN, CLERK, SUPERVISOR

MOTHER = "410702199001010023"
CSV = (
    "公民身份号码,姓名,性别,出生日期,联系电话,居住地址\n"
    f"{MOTHER},李芳,女,1990-01-01,13800138000,河南省新乡市红旗区平原路1号\n"
    "410702199001010028,王伟,男,1990/01/01,,河南省新乡市红旗区平原路2号\n"  # a wrong check digit
    f"{MOTHER},李芳,女,1990-01-01,13800138000,重复\n"  # the same person again
    "410702198501010017,张强,男,1985-01-01,12345,河南省新乡市\n"  # a phone that is none
)


def post(client: Any, kind: str, data: bytes, content_type: str = "text/csv", query: str = "") -> Any:
    return client.post(f"/api/registries/{kind}/imports{query}", data=data, content_type=content_type,
                       headers=ADMIN)


def test_a_csv_with_chinese_headers_loads_its_valid_rows_and_reports_the_others(client: Any) -> None:
    answer = post(client, "person", CSV.encode("gb18030"), query="?filename=persons.csv")
    assert answer.status_code == 201, answer.json
    report = answer.json
    assert (report["rows_total"], report["rows_accepted"], report["rows_rejected"]) == (4, 1, 3)
    assert (report["created"], report["updated"]) == (1, 0)
    refused = {row["line"]: row["errors"] for row in report["rejected"]}
    assert set(refused) == {3, 4, 5}
    assert "id_number" in refused[3] and "id_number" in refused[4] and "phone" in refused[5]
    assert "第 2 行" in refused[4]["id_number"][0]
    registries = {r["kind"]: r for r in client.get("/api/registries", headers=ADMIN).json["registries"]}
    assert registries["person"]["records"] == 1 and registries["person"]["last_import_at"] is not None
    assert registries["birth"]["records"] == 0
    history = client.get("/api/registries/person/imports", headers=ADMIN).json["imports"]
    assert [(h["filename"], h["rows_rejected"], len(h["rejected"])) for h in history] == [("persons.csv", 3, 3)]
    # The record is what the window's form reads next.
    form = client.get(f"/api/bundles/retirement/form?applicant={MOTHER}", headers=CLERK).json
    assert form["prefilled"]["name"] == {"value": "李芳", "source": "person.name", "origin": "registry",
                                         "label": "人口库", "ref": MOTHER}


def test_an_xlsx_workbook_loads_and_replace_removes_what_the_file_no_longer_holds(client: Any) -> None:
    def workbook(rows: list[list[Any]]) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.append(["cert_number", "husband_name", "husband_id_number", "wife_name", "wife_id_number",
                      "registered_on"])
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    from datetime import date

    first = [["J1", "王伟", "410702198501010017", "李芳", MOTHER, date(2015, 5, 20)],
             ["J2", "赵军", "410702198601010014", "钱丽", "41070219870101002X", "2016-06-01"]]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    answer = post(client, "marriage", workbook(first), xlsx)
    assert answer.status_code == 201, answer.json
    assert (answer.json["rows_accepted"], answer.json["rows_rejected"]) == (2, 0), answer.json["rejected"]
    replaced = post(client, "marriage", workbook(first[:1]), xlsx, "?mode=replace")
    assert replaced.status_code == 201, replaced.json
    assert (replaced.json["updated"], replaced.json["removed"]) == (1, 1)
    registries = {r["kind"]: r for r in client.get("/api/registries", headers=ADMIN).json["registries"]}
    assert registries["marriage"]["records"] == 1


def test_files_that_cannot_be_loaded_are_refused_and_change_nothing(client: Any, engine: OneThingEngine) -> None:
    cases = [
        ("person", b"", "text/csv", "文件为空"),
        ("person", "姓名,鞋码\n李芳,38\n".encode(), "text/csv", "鞋码"),  # unknown column, key column missing
        ("person", b"PK\x03\x04not really a workbook", "application/octet-stream", "XLSX"),
        ("person", b"\xff\xfe\x00\x01\xc0", "text/csv", None),
    ]
    for kind, data, content_type, says in cases:
        answer = post(client, kind, data, content_type)
        assert answer.status_code == 422, answer.json
        if says:
            assert says in answer.json["message_zh"] + str(answer.json["errors"]), answer.json
    assert post(client, "weather", CSV.encode()).status_code == 404
    assert post(client, "person", CSV.encode(), query="?mode=wipe").status_code == 422
    empty_replace = post(client, "person", "公民身份号码,姓名\n123,李\n".encode(), query="?mode=replace")
    assert empty_replace.status_code == 422, empty_replace.json
    assert client.post("/api/registries/person/imports", data=CSV.encode(), content_type="text/csv",
                       headers=CLERK).status_code == 403
    assert client.get("/api/registries", headers=SUPERVISOR).status_code == 403
    registries = client.get("/api/registries", headers=ADMIN).json["registries"]
    assert all(r["records"] == 0 and r["last_import_at"] is None for r in registries)


def test_a_multipart_upload_from_the_workbench_loads_too(client: Any) -> None:
    answer = client.post("/api/registries/person/imports", headers=ADMIN, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(CSV.encode()), "from-browser.csv")})
    assert answer.status_code == 201, answer.json
    assert answer.json["filename"] == "from-browser.csv" and answer.json["rows_accepted"] == 1
