"""数据共享 overview pages: transfers of every transport with their receipts, the sharing
catalogue, partner systems with health and feeds, disputes (masked, resolved once), receipts
with reconciliation problems, and the requests waiting for partners with a manual re-send.

All data is made by the real services: file imports, signed API pushes, a table-sync run,
the outbox worker against a gateway that is down or answers with a bad receipt."""

import json
import re
from datetime import timedelta

import pytest

from retirelink.exchange.layouts import layout_for
from retirelink.exchange.model import (
    BreakerState,
    ChangeBatch,
    DisputeStatus,
    OutboxStatus,
    PartnerHealth,
    SourceRecord,
    Transport,
)
from retirelink.exchange.outbox import MAX_ATTEMPTS, deliver_due
from retirelink.exchange.services import import_partner_file
from retirelink.exchange.sync import Feed, sync_feed
from retirelink.ledger.model import LedgerAction
from retirelink.security.crypto import digest_hex
from retirelink.security.masking import mask_id_number
from tests.conftest import TEST_NOW
from tests.e2e.helpers import ledger_actions, logged_in, page_csrf, signed_post
from tests.support.builders import actor_for, make_id_number, make_person
from tests.support.fake_gateway import FakeGateway
from tests.support.partner_files import BAD_FILE, DEATH_ITEM, GOOD_FILE, SUN, WANG, death_csv
from tests.support.partner_registry import GONGAN, write_registry

pytestmark = pytest.mark.e2e

NOTICES = "/api/v1/partner/notices"
CERTIFICATE_ITEM = "health.death_medical_certificate"
PRISON_ITEM = "justice.prisoners_in_custody"
PRISON_TABLE = "justice.prisoners_in_custody@table"
PAGES = (
    "/exchange",
    "/exchange/jobs",
    "/exchange/catalogue",
    "/exchange/partners",
    "/exchange/disputes",
    "/exchange/receipts",
    "/exchange/requests",
)
_TAG = re.compile(r"<[^>]+>")


# --- making data through the real services -------------------------------------------------


def import_file(services, data, *, item=DEATH_ITEM, filename="deaths.csv"):
    with services.uow() as uow:
        return import_partner_file(
            uow,
            actor=actor_for(services, "clerk"),
            data=data,
            filename=filename,
            item_code=item,
            catalogue=services.catalogue,
            receipt_key=services.receipt_key,
        )


def open_dispute(services):
    """公安 reports 王建国 dead on 10-01, 卫健 certifies 09-28: a dispute to 卫健 is opened
    and a request to deliver it is queued."""
    with services.uow() as uow:
        uow.persons.add(make_person(id_number=WANG, name="王建国"))
        uow.commit()
    import_file(services, death_csv([(WANG, "王建国", "2026-10-01")]), filename="gongan.csv")
    import_file(
        services,
        death_csv([(WANG, "王建国", "2026-09-28")]),
        item=CERTIFICATE_ITEM,
        filename="weijian.csv",
    )
    with services.uow() as uow:
        (dispute,) = uow.disputes.recent(limit=5)
    return dispute


def stored_dispute(services, dispute_id):
    with services.uow() as uow:
        return uow.disputes.get(dispute_id)


def stored_messages(services):
    with services.uow() as uow:
        return uow.outbox.recent(limit=10)


class PrisonTable:
    """司法's shared table of prisoners, one batch of records, as the sync reads it."""

    name = PRISON_TABLE

    def __init__(self, *id_numbers):
        self.records = tuple(
            SourceRecord(
                {
                    "zjhm": id_number,
                    "xm": "张三",
                    "xb": "1",
                    "xfzl": "有期徒刑",
                    "jyrq": "20200105",
                    "sfrq": "",
                    "zxjg": "河北省某监狱",
                },
                str(position),
            )
            for position, id_number in enumerate(id_numbers, 1)
        )

    def fetch_changes(self, after, *, limit):
        records = self.records if after is None else ()
        payload = json.dumps([[r.position, r.fields] for r in records], sort_keys=True)
        return ChangeBatch(
            source=self.name,
            after=after,
            records=records,
            next_after=records[-1].position if records else after,
            has_more=False,
            digest=digest_hex(payload.encode()),
        )

    def count_between(self, after, upto):
        return sum(1 for r in self.records if int(after or 0) < int(r.position) <= int(upto))


def sync_prisoners(services, *id_numbers):
    registry = services.partners.current()
    feed = Feed(
        source=PrisonTable(*id_numbers),
        item=services.catalogue.item(PRISON_ITEM),
        layout=layout_for(PRISON_ITEM),
        link=registry.by_kind("justice"),
        transport=Transport.TABLE_SYNC,
    )
    return sync_feed(services.uow, feed)


def push_death(client, partners, message_id="GA-1", rows=((SUN, "孙玉兰", "2026-11-01"),)):
    body = {
        "message_id": message_id,
        "records": [
            {"id_number": id_number, "name": name, "event_date": day, "record_type": "死亡注销"}
            for id_number, name, day in rows
        ],
    }
    raw = json.dumps(body, ensure_ascii=False).encode()
    response = signed_post(client, NOTICES, raw, partner=partners[GONGAN], item=DEATH_ITEM)
    assert response.status_code == 200, response.text
    return raw, response.json()


# --- reading pages ---------------------------------------------------------------------------


def text_of(html: str) -> str:
    return " ".join(_TAG.sub(" ", html).split())


def table_rows(html: str, table_class: str) -> list[str]:
    """The text of each body row of the table with that class."""
    table = html.split(f'<table class="grid {table_class}">')[1].split("</table>")[0]
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    return [text_of(row.split(">", 1)[1]) for row in body.split("<tr")[1:]]


def section(html: str, marker: str) -> str:
    """From the element holding ``marker`` (after its opening tag) to the end of its
    <section>."""
    return html.split(marker)[1].split(">", 1)[1].split("</section>")[0]


# --- the pages -------------------------------------------------------------------------------


def test_every_exchange_page_shows_the_sub_navigation_with_its_own_tab_current(client):
    logged_in(client, "clerk")

    for path in PAGES:
        page = client.get(path)

        assert page.status_code == 200, (path, page.text)
        tabs = page.text.split('aria-label="数据共享栏目">')[1].split("</nav>")[0]
        assert text_of(tabs) == "文件报送 交换作业 共享目录 协同部门 数据异议 回执 待发请求"
        assert f'<a href="{path}" aria-current="page">' in tabs


def test_the_jobs_list_shows_every_transport_newest_first_and_filters(client, seeded, settings):
    partners = write_registry(settings)
    import_file(seeded, BAD_FILE, filename="bad.csv")
    good = import_file(seeded, GOOD_FILE, filename="good.csv")
    push_death(client, partners)
    sync_prisoners(seeded, make_id_number("19600101", sequence="071"))
    logged_in(client, "clerk")

    page = client.get("/exchange/jobs")

    rows = table_rows(page.text, "jobs")
    assert len(rows) == 4
    assert [row.split()[2] for row in rows] == ["库表同步", "接口调用", "文件传输", "文件传输"]
    assert "司法 在押服刑人员" in rows[0]
    assert "公安 死亡注销 GA-1 已入库" in rows[1]
    # The three deaths of good.csv are of persons we do not hold: applied, all flagged 存疑.
    assert "good.csv 已入库 3 3 3 0" in rows[2]
    assert "bad.csv 已拒收 3 0 0 2" in rows[3]
    digest = good.job.payload_digest
    assert f'title="{digest}">{digest[:12]}…' in page.text
    assert f'href="/exchange/jobs/{good.job.id}"' in page.text

    api_only = table_rows(client.get("/exchange/jobs?transport=api").text, "jobs")
    rejected = table_rows(client.get("/exchange/jobs?status=rejected").text, "jobs")
    files_applied = client.get("/exchange/jobs?transport=file&status=applied")
    none = client.get("/exchange/jobs?transport=table_sync&status=rejected")

    assert len(api_only) == 1 and "GA-1" in api_only[0]
    assert len(rejected) == 1 and "bad.csv" in rejected[0]
    assert [row.split()[5] for row in table_rows(files_applied.text, "jobs")] == ["good.csv"]
    assert '<option value="applied" selected>' in files_applied.text
    assert "没有符合条件的交换作业" in none.text


def test_an_unknown_filter_value_gets_a_chinese_422(client):
    logged_in(client, "clerk")

    response = client.get("/exchange/jobs?transport=fax")

    assert response.status_code == 422
    assert "未知的传输方式：fax" in response.text


def test_the_job_page_of_an_api_push_shows_the_receipt_the_partner_was_given(
    client, seeded, settings
):
    partners = write_registry(settings)
    raw, answer = push_death(client, partners)
    with seeded.uow() as uow:
        (job,) = uow.exchange_jobs.recent(limit=5)
    receipt = answer["receipt"]
    logged_in(client, "clerk")

    page = client.get(f"/exchange/jobs/{job.id}")

    assert page.status_code == 200
    assert "<h1>接口推送数据接收结果</h1>" in page.text
    facts = text_of(page.text.split('<section class="card">')[1].split("</section>")[0])
    assert "传输方式 接口调用" in facts
    assert "来源标识 GA-1" in facts
    assert "存疑 1" in facts  # 孙玉兰 is not a person we hold
    assert f"载荷摘要（SM3） {digest_hex(raw)}" in facts
    assert "SHA-256" not in facts
    shown = text_of(section(page.text, 'id="receipt-heading"'))
    assert f"回执编号 {receipt['receipt_id']}" in shown
    assert "共 1 条，接收 1 条，拒收 0 条" in shown
    assert receipt["our_signature"] in shown
    assert "2026-11-23 10:30:00" in shown
    assert "存疑 1 条" in page.text


def test_the_upload_list_links_to_the_job_page_and_the_old_file_address_redirects(client, seeded):
    outcome = import_file(seeded, GOOD_FILE, filename="good.csv")
    logged_in(client, "clerk")

    listing = client.get("/exchange")
    moved = client.get(f"/exchange/files/{outcome.job.id}", follow_redirects=False)
    report = client.get(f"/exchange/jobs/{outcome.job.id}")

    assert f'<a href="/exchange/jobs/{outcome.job.id}">good.csv</a>' in listing.text
    assert "/exchange/files/" not in listing.text
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/exchange/jobs/{outcome.job.id}"
    assert "<h1>数据文件接收结果</h1>" in report.text
    receipt = text_of(section(report.text, 'id="receipt-heading"'))
    assert "共 3 条，接收 3 条，拒收 0 条" in receipt


def test_the_catalogue_shows_every_item_by_department_and_what_is_not_shared(client, seeded):
    logged_in(client, "clerk")
    before = len(ledger_actions(seeded))

    page = client.get("/exchange/catalogue")

    assert page.status_code == 200
    records = text_of(section(page.text, 'id="item-health.medical_records"'))
    assert records.startswith("诊疗病历明细 不予共享")
    assert "health.medical_records" in records
    assert "《中华人民共和国个人信息保护法》第二十八条" in records
    assert "允许用途 —（不得用于任何用途）" in records
    assert "diagnosis 诊断 代码 ICD-10" in records
    death = text_of(section(page.text, 'id="item-public_security.death_cancellation"'))
    assert death.startswith("死亡注销 有条件共享")
    assert "允许用途 待遇资格认证、待遇停发与恢复、遗属待遇、基金监管核查" in death
    assert "可申请部门 社保、医保" in death
    assert "可使用角色 窗口受理员、复核员、基金监管员、系统（命令行）" in death
    assert "id_number 公民身份号码 公民身份号码 GB 11643-1999" in death
    assert "更新频率 实时" in death
    assert len(ledger_actions(seeded)) == before  # no personal data, nothing to ledger


def test_the_partners_page_explains_how_partners_are_registered_when_none_are(client):
    logged_in(client, "clerk")

    page = client.get("/exchange/partners")

    assert page.status_code == 200
    assert "尚未登记协同部门系统" in page.text
    assert "RETIRELINK_PARTNERS_FILE" in page.text
    assert "retirelink partners serve" in page.text


def test_the_partners_page_shows_health_feeds_and_pending_requests(client, seeded, settings):
    write_registry(settings)
    with seeded.uow() as uow:
        uow.partner_health.save(
            PartnerHealth(
                "health",
                BreakerState.OPEN,
                5,
                False,
                TEST_NOW - timedelta(hours=1),
                TEST_NOW - timedelta(minutes=1),
                "卫健系统连接超时（5秒）",
                None,
                TEST_NOW,
            )
        )
        uow.partner_health.save(
            PartnerHealth(
                "public_security", BreakerState.CLOSED, 0, True, TEST_NOW, None, "", 35, TEST_NOW
            )
        )
        uow.commit()
    sync_prisoners(seeded, make_id_number("19600101", sequence="071"))
    open_dispute(seeded)
    logged_in(client, "clerk")

    page = client.get("/exchange/partners").text

    summary = table_rows(page, "partners-summary")
    assert [row.split()[0] for row in summary] == [
        "公安",
        "司法",
        "卫健",
        "民政",
        "住建/公积金",
        "医保",
    ]
    assert summary[1] == "司法 SIFA-130406 尚无调用记录 — 正常 0"
    assert summary[2] == "卫健 WEIJIAN-130406 已熔断（暂停调用），不可达 2026-11-23 09:30:00 — 1"
    assert summary[0] == "公安 GONGAN-130406 正常 2026-11-23 10:30:00 — 0"
    health = text_of(section(page, 'id="partner-WEIJIAN-130406"'))
    assert health.startswith("卫健（WEIJIAN） 已熔断（暂停调用），不可达")
    assert "客户端标识 WEIJIAN-130406" in health
    assert "接口地址 http://127.0.0.1:9/WEIJIAN" in health
    assert "可达 否" in health
    assert "连续失败 5 次" in health
    assert "最近成功 2026-11-23 09:30:00" in health
    assert "最近失败 2026-11-23 10:29:00" in health
    assert "最近错误 卫健系统连接超时（5秒）" in health
    assert "响应耗时 —" in health
    assert "待发请求 1 条" in health
    gongan = text_of(section(page, 'id="partner-GONGAN-130406"'))
    assert gongan.startswith("公安（GONGAN） 正常")
    assert "可达 是" in gongan
    assert "响应耗时 35 毫秒" in gongan
    assert "待发请求 0 条" in gongan
    justice = section(page, 'id="partner-SIFA-130406"')
    assert table_rows(justice, "feeds") == [f"{PRISON_TABLE} 1 1 2026-11-23 10:30:00 正常 —"]
    assert "尚无调用记录" in section(page, 'id="partner-YIBAO-130406"')


def test_a_clerk_sees_disputes_with_the_id_number_masked_and_the_reads_ledgered(client, seeded):
    dispute = open_dispute(seeded)
    logged_in(client, "clerk")

    listing = client.get("/exchange/disputes")
    detail = client.get(f"/exchange/disputes/{dispute.id}")

    (row,) = table_rows(listing.text, "disputes")
    assert f"#{dispute.id}" in row
    assert "卫健 卫健·死亡医学证明" in row
    assert mask_id_number(WANG) in row
    assert "两个部门报送的死亡日期不一致：公安报2026-10-01，卫健报2026-09-28" in row
    assert "待发送" in row
    for page in (listing, detail):
        assert WANG not in page.text
    assert mask_id_number(WANG) in detail.text
    compare = table_rows(detail.text, "compare")
    assert compare[0] == "报送部门 公安 卫健"
    assert compare[1] == "数据项 公安·死亡注销 卫健·死亡医学证明"
    assert compare[2] == "事件日期 不一致 2026-10-01 2026-09-28"
    assert compare[3] == "接收时间 2026-11-23 10:30:00 2026-11-23 10:30:00"
    assert compare[4].startswith("记录标识 partner_record:")
    assert 'name="resolution"' in detail.text
    reads = ledger_actions(seeded, LedgerAction.EXCHANGE_RECORDS_READ)
    assert [entry.purpose for entry in reads][:2] == [
        f"查看数据异议#{dispute.id}（{CERTIFICATE_ITEM}）",
        "查看数据异议列表（1条）",
    ]


def test_a_dispute_is_resolved_once_and_a_second_attempt_is_a_conflict(client, seeded):
    dispute = open_dispute(seeded)
    logged_in(client, "clerk")
    path = f"/exchange/disputes/{dispute.id}"
    token = page_csrf(client, path)
    answer = "经卫健核实，死亡日期以死亡医学证明为准（2026-09-28），公安已更正。"

    resolved = client.post(
        f"{path}/resolve", data={"resolution": answer, "csrf_token": token}, follow_redirects=False
    )
    again = client.post(f"{path}/resolve", data={"resolution": "再次处理", "csrf_token": token})

    assert resolved.status_code == 303
    assert resolved.headers["location"] == f"{path}?resolved=1"
    shown = client.get(resolved.headers["location"])
    assert "已记录处理结果，该数据异议已办结。" in shown.text
    assert answer in shown.text
    assert 'name="resolution"' not in shown.text
    assert again.status_code == 409
    assert "该数据异议已处理" in again.text
    after = stored_dispute(seeded, dispute.id)
    assert after.status is DisputeStatus.RESOLVED
    assert after.resolution == answer
    assert len(ledger_actions(seeded, LedgerAction.EXCHANGE_DISPUTE_RESOLVED)) == 1
    open_only = client.get("/exchange/disputes?status=open")
    done = table_rows(client.get("/exchange/disputes?status=resolved").text, "disputes")
    assert "没有符合条件的数据异议" in open_only.text
    assert len(done) == 1 and "已处理" in done[0]


def test_resolving_without_the_csrf_token_is_refused_and_changes_nothing(client, seeded):
    dispute = open_dispute(seeded)
    logged_in(client, "clerk")

    response = client.post(
        f"/exchange/disputes/{dispute.id}/resolve", data={"resolution": "已核实"}
    )

    assert response.status_code == 403
    assert "CSRF" in response.text
    assert stored_dispute(seeded, dispute.id) == dispute
    assert not ledger_actions(seeded, LedgerAction.EXCHANGE_DISPUTE_RESOLVED)


def test_an_empty_resolution_rerenders_the_form_with_a_message_and_writes_nothing(client, seeded):
    dispute = open_dispute(seeded)
    logged_in(client, "clerk")
    path = f"/exchange/disputes/{dispute.id}"
    token = page_csrf(client, path)

    response = client.post(f"{path}/resolve", data={"resolution": "  \n ", "csrf_token": token})

    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "请填写处理结果（来源部门的核实答复）" in response.text
    assert 'aria-invalid="true"' in response.text
    assert stored_dispute(seeded, dispute.id) == dispute
    assert not ledger_actions(seeded, LedgerAction.EXCHANGE_DISPUTE_RESOLVED)


def test_an_unknown_dispute_is_a_404_page(client):
    logged_in(client, "clerk")

    page = client.get("/exchange/disputes/999")

    assert page.status_code == 404
    assert "没有找到该数据异议" in page.text


def test_the_receipts_page_highlights_a_partner_receipt_that_does_not_check(
    client, seeded, settings, clock
):
    write_registry(settings)
    import_file(seeded, GOOD_FILE, filename="good.csv")
    open_dispute(seeded)
    forged = FakeGateway(clock, sign_with=b"not-the-shared-key-0123456789abc")
    assert deliver_due(seeded.uow, forged, seeded.partners.current()).delivered == 1
    logged_in(client, "clerk")

    page = client.get("/exchange/receipts")

    rows = table_rows(page.text, "receipts")
    assert len(rows) == 4  # three imports we received, one receipt 卫健 gave us
    assert 'role="alert"' in page.text
    assert "有 1 份回执与我方记录不一致" in page.text
    (problem,) = [row for row in rows if "不一致" in row]
    assert problem.startswith("R-1 我方发送（对方签发） 卫健 卫健·死亡医学证明 1 1 0")
    assert problem.endswith("不一致 对方回执签名无效")
    assert page.text.count('<tr class="problem">') == 1
    ours = [row for row in rows if row.endswith(" 一致")]
    assert len(ours) == 3
    assert all("我方接收（我方签发）" in row for row in ours)
    assert any("公安 公安·死亡注销 3 3 0" in row for row in ours)


def test_a_request_that_failed_every_attempt_is_resent_from_the_requests_page(
    client, seeded, settings, clock
):
    write_registry(settings)
    open_dispute(seeded)
    down = FakeGateway(clock, down=True)
    for _ in range(MAX_ATTEMPTS):
        deliver_due(seeded.uow, down, seeded.partners.current())
        clock.advance(timedelta(hours=2))
    (message,) = stored_messages(seeded)
    assert message.status is OutboxStatus.FAILED
    logged_in(client, "clerk")

    page = client.get("/exchange/requests")
    (row,) = table_rows(page.text, "requests")
    assert row.startswith(f"#{message.id} 数据异议 卫健")
    assert f"发送失败（需人工处理） {MAX_ATTEMPTS} —" in row
    assert "无法连接" in row
    assert "重发" in row
    unsigned = client.post(f"/exchange/requests/{message.id}/retry")
    assert unsigned.status_code == 403
    assert stored_messages(seeded) == [message]

    retried = client.post(
        f"/exchange/requests/{message.id}/retry",
        data={"csrf_token": page_csrf(client, "/exchange/requests")},
        follow_redirects=False,
    )

    assert retried.status_code == 303
    shown = client.get(retried.headers["location"])
    assert f"请求 #{message.id} 已重新排队" in shown.text
    (row,) = table_rows(shown.text, "requests")
    assert "待发送" in row
    (after,) = stored_messages(seeded)
    assert after.status is OutboxStatus.PENDING
    assert after.next_attempt_at == clock.now()
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_REQUEST_RETRY)


def test_a_delivered_request_cannot_be_resent_and_the_page_says_why(
    client, seeded, settings, clock
):
    write_registry(settings)
    open_dispute(seeded)
    deliver_due(seeded.uow, FakeGateway(clock), seeded.partners.current())
    (message,) = stored_messages(seeded)
    logged_in(client, "clerk")
    page = client.get("/exchange/requests")
    assert f"/exchange/requests/{message.id}/retry" not in page.text  # no button offered

    response = client.post(
        f"/exchange/requests/{message.id}/retry",
        data={"csrf_token": page_csrf(client, "/exchange/requests")},
    )

    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "该消息已送达，无需重发" in response.text
    assert stored_messages(seeded) == [message]


def test_a_reviewer_gets_the_403_page_and_cannot_resolve(client, seeded):
    dispute = open_dispute(seeded)
    logged_in(client, "reviewer")
    token = page_csrf(client, "/")

    for path in (
        *PAGES[:2],
        *PAGES[3:],
        f"/exchange/jobs/{dispute.job_id}",
        f"/exchange/disputes/{dispute.id}",
    ):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "无权访问" in page.text
    posted = client.post(
        f"/exchange/disputes/{dispute.id}/resolve",
        data={"resolution": "已核实", "csrf_token": token},
    )
    (message,) = stored_messages(seeded)
    retry = client.post(f"/exchange/requests/{message.id}/retry", data={"csrf_token": token})

    assert posted.status_code == 403
    assert retry.status_code == 403
    assert stored_dispute(seeded, dispute.id) == dispute
    assert stored_messages(seeded) == [message]
    # The catalogue holds no personal data and is published to every department.
    assert client.get("/exchange/catalogue").status_code == 200
