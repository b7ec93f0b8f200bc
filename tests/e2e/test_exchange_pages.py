"""数据共享 pages: upload a partner file, read its report, see a re-send recognised."""

import pytest
from sqlalchemy import create_engine, text

from retirelink.security.masking import mask_id_number
from tests.e2e.helpers import ledger_actions, logged_in, page_csrf
from tests.support.partner_files import BAD_FILE, DEATH_ITEM, GOOD_FILE, LI, wrong_check_digit

pytestmark = pytest.mark.e2e


def stored(settings, table: str) -> int:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def upload(client, data: bytes, name: str = "deaths.csv", *, csrf: str | None = None):
    token = page_csrf(client, "/exchange") if csrf is None else csrf
    return client.post(
        "/exchange/files",
        data={"item_code": DEATH_ITEM, "csrf_token": token},
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
    )


def test_the_upload_page_offers_event_items_by_name(client):
    logged_in(client, "clerk")

    page = client.get("/exchange")

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert f'value="{DEATH_ITEM}"' in page.text
    assert "死亡" in page.text
    assert "household_registration" not in page.text
    assert "尚未接收任何文件" in page.text


def test_a_bad_gbk_file_is_rejected_with_both_rows_listed(client, settings, seeded):
    logged_in(client, "clerk")

    response = upload(client, BAD_FILE, "bad.csv")

    assert response.status_code == 303
    report = client.get(response.headers["location"])
    assert report.status_code == 200
    assert "已整体拒收" in report.text
    assert "重新报送整个文件" in report.text
    rows = report.text.split("<tbody>")[1]
    assert "<td>3</td>" in rows
    assert "<td>4</td>" in rows
    # The clerk's role sees the bad ID masked; reading the report is ledgered.
    assert mask_id_number(wrong_check_digit(LI)) in rows
    assert wrong_check_digit(LI) not in rows
    assert "2026-02-30" in rows
    assert "<td>公民身份号码</td>" in rows
    assert "<td>事件日期</td>" in rows
    assert stored(settings, "partner_records") == 0
    listing = client.get("/exchange").text
    assert "bad.csv" in listing
    assert "已拒收" in listing
    assert [entry.actor_name for entry in ledger_actions(seeded, "exchange.file_read")] == ["clerk"]


def test_the_fixed_file_is_applied_and_a_resend_is_recognised(client, settings):
    logged_in(client, "clerk")
    upload(client, BAD_FILE, "bad.csv")

    first = upload(client, GOOD_FILE, "good.csv")
    applied = client.get(first.headers["location"])
    again = upload(client, GOOD_FILE, "good-again.csv")
    duplicate = client.get(again.headers["location"])

    assert "已导入" in applied.text
    assert "新入库 3 条" in applied.text
    assert "重复报送" not in applied.text
    assert again.headers["location"].startswith(first.headers["location"])
    assert "该文件此前已接收" in duplicate.text
    assert "本次未重复导入" in duplicate.text
    assert stored(settings, "partner_records") == 3
    assert stored(settings, "exchange_jobs") == 2


def test_an_upload_without_the_csrf_token_is_refused_and_nothing_is_stored(client, settings):
    logged_in(client, "clerk")

    response = upload(client, GOOD_FILE, csrf="")

    assert response.status_code == 403
    assert "CSRF" in response.text
    assert stored(settings, "exchange_jobs") == 0
    assert stored(settings, "partner_records") == 0


def test_an_upload_without_a_file_rerenders_the_form_with_a_message(client, settings):
    logged_in(client, "clerk")
    token = page_csrf(client, "/exchange")

    response = client.post("/exchange/files", data={"item_code": DEATH_ITEM, "csrf_token": token})

    assert response.status_code == 422
    assert "请选择要上传的数据文件" in response.text
    assert stored(settings, "exchange_jobs") == 0


def test_a_non_event_item_is_refused_with_a_chinese_message(client, settings):
    logged_in(client, "clerk")
    token = page_csrf(client, "/exchange")

    response = client.post(
        "/exchange/files",
        data={"item_code": "public_security.household_registration", "csrf_token": token},
        files={"file": ("good.csv", GOOD_FILE, "text/csv")},
    )

    assert response.status_code == 422
    assert "不是可按事件记录接收的数据项" in response.text
    assert stored(settings, "exchange_jobs") == 0


def test_an_oversized_upload_is_refused_with_413(client, settings, monkeypatch):
    monkeypatch.setattr("retirelink.web.pages.exchange.MAX_UPLOAD_BYTES", 16)
    logged_in(client, "clerk")

    response = upload(client, GOOD_FILE)

    assert response.status_code == 413
    assert "文件过大" in response.text
    assert stored(settings, "exchange_jobs") == 0


def test_a_reviewer_gets_the_403_page(client, settings):
    logged_in(client, "reviewer")

    page = client.get("/exchange")
    token = page_csrf(client, "/")
    posted = client.post(
        "/exchange/files",
        data={"item_code": DEATH_ITEM, "csrf_token": token},
        files={"file": ("good.csv", GOOD_FILE, "text/csv")},
    )

    assert page.status_code == 403
    assert "无权访问" in page.text
    assert posted.status_code == 403
    assert stored(settings, "exchange_jobs") == 0


def test_an_unknown_file_id_is_404(client):
    logged_in(client, "clerk")

    assert client.get("/exchange/jobs/999").status_code == 404
