"""The drop folder: GBK files left by departments are imported, filed away with a receipt."""

import json

import pytest

from retirelink.archives.model import DepartmentKind
from retirelink.exchange.catalogue import load_catalogue
from retirelink.exchange.inbox import scan_inbox
from retirelink.exchange.model import PartnerLink
from retirelink.exchange.receipts import receipt_from_dict, verify_receipt
from retirelink.exchange.registry import Registry
from tests.support.partner_files import LI, WANG, death_csv, wrong_check_digit

pytestmark = pytest.mark.integration

CATALOGUE = load_catalogue()
MINZHENG = PartnerLink(
    "MINZHENG", DepartmentKind.CIVIL_AFFAIRS, "MINZHENG-1", "http://mz", b"m" * 32
)
WEIJIAN = PartnerLink("WEIJIAN", DepartmentKind.HEALTH, "WEIJIAN-1", "http://wj", b"w" * 32)
GONGAN = PartnerLink("GONGAN", DepartmentKind.PUBLIC_SECURITY, "GONGAN-1", "http://ga", b"g" * 32)
REGISTRY = Registry("SHEBAO-130406", (MINZHENG, WEIJIAN, GONGAN))


def cremations(rows):
    return death_csv(rows).replace("死亡日期".encode("gbk"), "火化日期".encode("gbk"))


def drop(inbox, department, name, data):
    folder = inbox / department
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder


def test_files_are_imported_and_filed_with_their_receipts(seeded, tmp_path):
    inbox = tmp_path / "inbox"
    folder = drop(
        inbox, "MINZHENG", "火化登记-20261201.csv", cremations([(WANG, "王建国", "2026-10-03")])
    )
    drop(
        inbox,
        "MINZHENG",
        "火化登记-20261202.csv",
        cremations([(wrong_check_digit(LI), "李秀英", "2026-10-04")]),
    )

    results = scan_inbox(seeded.uow, inbox, registry=REGISTRY, catalogue=CATALOGUE)

    assert [result.status_zh for result in results] == ["已入库", "已拒收"]
    assert not list(folder.glob("*.csv"))
    answer = json.loads((folder / "processed" / "火化登记-20261201.csv.receipt.json").read_text())
    assert answer["status"] == "applied"
    assert verify_receipt(receipt_from_dict(answer["receipt"]), MINZHENG.receipt_key)
    rejected = json.loads((folder / "rejected" / "火化登记-20261202.csv.receipt.json").read_text())
    assert rejected["issues"][0]["row"] == 2
    with seeded.uow() as uow:
        assert uow.partner_records.count("civil_affairs.cremation") == 1


def test_the_same_file_dropped_again_is_recognised_and_only_filed(seeded, tmp_path):
    inbox = tmp_path / "inbox"
    data = cremations([(WANG, "王建国", "2026-10-03")])
    drop(inbox, "MINZHENG", "a.csv", data)
    scan_inbox(seeded.uow, inbox, registry=REGISTRY, catalogue=CATALOGUE)
    folder = drop(inbox, "MINZHENG", "a.csv", data)

    (result,) = scan_inbox(seeded.uow, inbox, registry=REGISTRY, catalogue=CATALOGUE)

    assert result.status_zh == "重复报送（此前已接收）"
    assert len(list((folder / "processed").glob("a*.csv"))) == 2
    with seeded.uow() as uow:
        assert uow.partner_records.count() == 1


def test_a_file_whose_item_cannot_be_told_is_left_in_place_with_the_reason(seeded, tmp_path):
    # 住建/公积金 shares no event item, so nothing it drops can be taken as one.
    gjj = PartnerLink("GJJ", DepartmentKind.HOUSING_FUND, "GJJ-1", "http://gjj", b"j" * 32)
    inbox = tmp_path / "inbox"
    folder = drop(inbox, "GJJ", "accounts.csv", death_csv([(WANG, "王建国", "2026-10-01")]))

    (result,) = scan_inbox(
        seeded.uow, inbox, registry=Registry("SHEBAO-130406", (gjj,)), catalogue=CATALOGUE
    )

    assert result.outcome is None
    assert "无法确定文件“accounts.csv”的数据项" in result.error
    assert (folder / "accounts.csv").exists()


def test_a_file_named_after_its_item_is_taken_as_that_item(seeded, tmp_path):
    inbox = tmp_path / "inbox"
    drop(
        inbox,
        "GONGAN",
        "public_security.death_cancellation_20261201.csv",
        death_csv([(LI, "李秀英", "2026-10-02")]),
    )

    (result,) = scan_inbox(seeded.uow, inbox, registry=REGISTRY, catalogue=CATALOGUE)

    assert result.status_zh == "已入库"
    assert result.outcome is not None
    assert result.outcome.job.item_code == "public_security.death_cancellation"
