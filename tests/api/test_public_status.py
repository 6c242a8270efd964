"""办件查询 without logging in: the case number and the last six characters of the applicant's ID
number show the progress and nothing personal; a wrong pair answers as an unknown case; wrong tries
are limited per address and per case; the page the notices' QR codes open is served."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import approve_licence, start


def status(client: Any, number: str, check: str, address: str = "203.0.113.7") -> Any:
    return client.get(f"/api/public/case-status/{number}?check={check}", environ_base={"REMOTE_ADDR": address})


def test_the_number_and_the_last_six_show_the_progress_and_nothing_personal(client: Any) -> None:
    case = start(client)
    number, ref = case["number"], case["applicant"]["id_number"]
    approve_licence(client, number)
    answer = status(client, number, ref[-6:].lower())
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["number"], body["bundle"], body["state"]) == (number, "开办餐饮店一件事", "审批中")
    scjg = next(d for d in body["departments"] if d["name"] == "市场监督管理局")
    assert {"name": "营业执照（个体工商户/企业设立登记）", "state": "准予许可"} in scjg["items"]
    text = str(body)
    assert ref not in text and ref[-6:] not in text and case["applicant"]["name"] not in text
    page = client.get(f"/status/{number}")
    assert page.status_code == 200 and number in page.get_data(as_text=True)


def test_a_wrong_pair_answers_as_an_unknown_case_and_wrong_tries_are_limited(client: Any) -> None:
    case = start(client)
    number, ref = case["number"], case["applicant"]["id_number"]
    wrong = "000000" if ref[-6:] != "000000" else "111111"
    unknown = status(client, "CY-20990101-00001", ref[-6:])
    refused = status(client, number, wrong)
    assert refused.status_code == unknown.status_code == 404 and refused.json == unknown.json
    assert status(client, number, "12345").status_code == 422
    first, second, third = start(client), start(client), start(client)
    for n in range(10):  # one address guessing at two cases, five tries each
        assert status(client, (first, second)[n % 2]["number"], wrong, "198.51.100.1").status_code == 404
    limited = status(client, third["number"], third["applicant"]["id_number"][-6:], "198.51.100.1")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0  # the address is past its tries
    assert status(client, third["number"], third["applicant"]["id_number"][-6:], "192.0.2.9").status_code == 200
    for n in range(2, 14):  # one case guessed at from many addresses
        status(client, number, wrong, f"198.51.100.{n}")
    assert status(client, number, ref[-6:], "192.0.2.1").status_code == 429
    assert status(client, first["number"], first["applicant"]["id_number"][-6:], "192.0.2.1").status_code == 200
