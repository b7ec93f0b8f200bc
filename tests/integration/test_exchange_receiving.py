"""The one apply path of every transfer, on the real database: verification flags, disputes
routed to the source through the outbox, signed receipts, and all-or-nothing across chunks."""

import pytest
from sqlalchemy import text

from retirelink.exchange import receiving
from retirelink.exchange import services as services_module
from retirelink.exchange.catalogue import load_catalogue
from retirelink.exchange.model import DisputeStatus, JobStatus, OutboxOperation, RecordFlag
from retirelink.exchange.receipts import Direction, verify_receipt
from retirelink.exchange.services import import_partner_file, import_partner_path
from retirelink.security.crypto import digest_hex
from tests.support.builders import actor_for, make_id_number, make_person
from tests.support.partner_files import DEATH_ITEM, LI, WANG, death_csv, wrong_check_digit

pytestmark = pytest.mark.integration

CATALOGUE = load_catalogue()
KEY = b"receipt-key-for-the-tests-0123456"
CERTIFICATE_ITEM = "health.death_medical_certificate"
SETTLEMENT_ITEM = "medical_insurance.enrolment_and_settlement"


def event_csv(header: str, rows: list[tuple[str, str, str]]) -> bytes:
    lines = [f"公民身份号码,姓名,{header}"] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def send(services, data, *, item=DEATH_ITEM, filename="feed.csv"):
    with services.uow() as uow:
        return import_partner_file(
            uow,
            actor=actor_for(services, "clerk"),
            data=data,
            filename=filename,
            item_code=item,
            catalogue=CATALOGUE,
            receipt_key=KEY,
        )


def register(services, id_number, name):
    with services.uow() as uow:
        uow.persons.add(make_person(id_number=id_number, name=name))
        uow.commit()


def records(services):
    with services.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT item_code, id_number, flag FROM partner_records ORDER BY id")
        )
        return [tuple(row) for row in rows]


def count(services, table):
    with services.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_a_death_notice_for_someone_we_do_not_hold_is_kept_and_flagged(seeded):
    register(seeded, WANG, "王建国")

    outcome = send(
        seeded, death_csv([(WANG, "王建国", "2026-10-01"), (LI, "李秀英", "2026-10-02")])
    )

    assert outcome.applied
    assert outcome.job.rows_flagged == 1
    assert records(seeded) == [
        (DEATH_ITEM, WANG, None),
        (DEATH_ITEM, LI, RecordFlag.UNKNOWN_PERSON.value),
    ]


def test_two_departments_disagreeing_on_a_death_open_a_dispute_to_the_later_sender(seeded):
    register(seeded, WANG, "王建国")
    send(seeded, death_csv([(WANG, "王建国", "2026-10-01")]))

    outcome = send(
        seeded, event_csv("死亡日期", [(WANG, "王建国", "2026-09-28")]), item=CERTIFICATE_ITEM
    )

    assert outcome.applied
    assert records(seeded)[-1] == (CERTIFICATE_ITEM, WANG, RecordFlag.DISPUTED.value)
    with seeded.uow() as uow:
        (dispute,) = uow.disputes.recent(limit=10)
        (message,) = uow.outbox.recent(limit=10)
    assert dispute.status is DisputeStatus.OPEN
    assert dispute.source_department == "health"
    assert "2026-10-01" in dispute.reason and "2026-09-28" in dispute.reason
    assert [entry["item"] for entry in dispute.evidence] == [DEATH_ITEM, CERTIFICATE_ITEM]
    assert dispute.job_id == outcome.job.id
    assert message.operation is OutboxOperation.DISPUTE
    assert message.department == "health"
    assert message.idempotency_key == f"dispute:{dispute.id}"
    assert message.body["reason"] == dispute.reason


def test_a_settlement_after_a_reported_death_disputes_the_death_notice(seeded):
    register(seeded, WANG, "王建国")
    send(seeded, death_csv([(WANG, "王建国", "2026-06-01")]))

    settled = send(
        seeded, event_csv("结算日期", [(WANG, "王建国", "2026-07-15")]), item=SETTLEMENT_ITEM
    )

    assert settled.applied

    with seeded.uow() as uow:
        (dispute,) = uow.disputes.recent(limit=10)
    assert dispute.source_department == "public_security"
    assert dispute.item_code == DEATH_ITEM
    assert "2026-07-15" in dispute.reason


def test_every_transfer_gets_a_receipt_signed_with_the_senders_key(seeded):
    data = death_csv([(WANG, "王建国", "2026-10-01"), (LI, "李秀英", "2026-10-02")])

    outcome = send(seeded, data)

    receipt = outcome.receipt
    assert receipt is not None
    assert verify_receipt(receipt, KEY)
    assert not verify_receipt(receipt, b"another-key-another-key-01234567")
    assert receipt.direction is Direction.INBOUND
    assert receipt.payload_digest == digest_hex(data) == outcome.job.payload_digest
    assert (receipt.record_count, receipt.accepted, receipt.rejected) == (2, 2, 0)
    with seeded.uow() as uow:
        assert uow.receipts.for_job(outcome.job.id) == receipt


def test_a_resent_transfer_answers_with_the_first_receipt(seeded):
    data = death_csv([(WANG, "王建国", "2026-10-01")])
    first = send(seeded, data)

    again = send(seeded, data, filename="again.csv")

    assert again.duplicate
    assert again.receipt == first.receipt
    assert count(seeded, "exchange_receipts") == 1


def test_a_rejected_transfer_gets_a_receipt_counting_every_row_rejected(seeded):
    outcome = send(seeded, death_csv([(wrong_check_digit(WANG), "王建国", "2026-10-01")]))

    assert not outcome.applied
    assert outcome.receipt is not None
    assert (outcome.receipt.accepted, outcome.receipt.rejected) == (0, 1)


def test_a_bad_row_after_chunks_were_applied_rolls_back_the_whole_transfer(seeded, monkeypatch):
    monkeypatch.setattr(receiving, "CHUNK_ROWS", 2)
    register(seeded, WANG, "王建国")
    send(seeded, death_csv([(WANG, "王建国", "2026-10-01")]))
    rows = [
        (make_id_number("19500101", sequence=f"{n:03d}"), "张三", "2026-10-03") for n in range(7)
    ]
    # 卫健 disagrees about 王建国 in the first chunk: a dispute opened, then rolled back too.
    rows.insert(0, (WANG, "王建国", "2026-09-01"))
    rows.append((wrong_check_digit(LI), "李秀英", "2026-10-02"))

    outcome = send(seeded, event_csv("死亡日期", rows), item=CERTIFICATE_ITEM)

    assert not outcome.applied
    assert outcome.job.status is JobStatus.REJECTED
    assert [issue.row_number for issue in outcome.issues] == [10]
    assert count(seeded, "partner_records") == 1
    assert count(seeded, "data_disputes") == 0
    assert count(seeded, "outbox_messages") == 0


def test_an_event_before_the_birth_in_the_id_number_is_a_row_issue(seeded):
    outcome = send(seeded, death_csv([(WANG, "王建国", "1949-12-31")]))

    assert not outcome.applied
    (issue,) = outcome.issues
    assert (issue.row_number, issue.field) == (2, "event_date")
    assert issue.message_zh == "事件日期1949-12-31早于出生日期1950-01-01"


def test_a_file_on_disk_is_streamed_and_applied(seeded, tmp_path):
    path = tmp_path / "卫健死亡证明.csv"
    rows = [
        (make_id_number("19500101", sequence=f"{n:03d}"), "张三", "2026-10-03") for n in range(50)
    ]
    path.write_bytes(event_csv("死亡日期", rows))

    with seeded.uow() as uow:
        outcome = import_partner_path(
            uow,
            actor=actor_for(seeded, "clerk"),
            path=path,
            item_code=CERTIFICATE_ITEM,
            catalogue=CATALOGUE,
            receipt_key=KEY,
        )

    assert outcome.applied
    assert (outcome.job.rows_total, outcome.job.rows_applied) == (50, 50)
    assert outcome.job.filename == "卫健死亡证明.csv"
    assert outcome.job.encoding.lower() in {"gb18030", "gbk"}
    assert outcome.job.payload_digest == digest_hex(path.read_bytes())


@pytest.mark.parametrize("in_child", [False, True], ids=["in_process", "child_process"])
def test_a_large_file_read_in_a_second_process_gives_the_same_outcome(
    seeded, tmp_path, monkeypatch, in_child
):
    if in_child:
        monkeypatch.setattr(services_module, "PIPELINE_MIN_BYTES", 0)
    good = tmp_path / "good.csv"
    rows = [
        (make_id_number("19500101", sequence=f"{n:03d}"), "张三", "2026-10-03") for n in range(30)
    ]
    good.write_bytes(death_csv(rows))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(death_csv([*rows[:5], (wrong_check_digit(LI), "李秀英", "2026-10-02")]))
    headless = tmp_path / "headless.csv"
    headless.write_bytes("姓名,死亡日期\r\n王建国,2026-10-01\r\n".encode("gbk"))

    outcomes = [import_on_disk(seeded, path) for path in (good, bad, headless)]

    assert [outcome.applied for outcome in outcomes] == [True, False, False]
    assert outcomes[0].job.rows_applied == 30
    assert outcomes[0].job.encoding.lower() in {"gbk", "gb18030"}
    assert [(i.row_number, i.field) for i in outcomes[1].issues] == [(7, "id_number")]
    assert outcomes[2].issues[0].row_number is None
    assert "缺少必需的列" in outcomes[2].issues[0].message_zh


def import_on_disk(services, path):
    with services.uow() as uow:
        return import_partner_path(
            uow,
            actor=actor_for(services, "clerk"),
            path=path,
            item_code=DEATH_ITEM,
            catalogue=CATALOGUE,
            receipt_key=KEY,
        )
