"""跨省参保记录核查: how the other nodes' answers decide the task (国办发〔2009〕66号: years in
several provinces add up once transferred; 第六条 says which province pays), and what the
contributions task may read from it."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from retirelink.rules import load_parameters
from retirelink.workflow.applications import (
    ApplicationRoute,
    TaskKind,
    TaskStatus,
    WaitingForTaskError,
    tasks_for,
)
from retirelink.workflow.cross_province import LocalFacts, decide, transferred_months
from retirelink.workflow.province_records import (
    CrossProvinceRecords,
    ProvinceHistory,
    ProvinceYear,
    Relationship,
)
from tests.support.builders import make_id_number

ID_NUMBER = make_id_number("19660815", sequence="131")
HEBEI, SHANXI, HENAN = "130000", "140000", "410000"
LOCAL = LocalFacts(
    id_number=ID_NUMBER,
    birth_date=date(1966, 8, 15),
    own_province=HEBEI,
    hukou_province=HEBEI,
    hukou_source="参保人登记的户籍地区划",
    local_months=200,
    paid_by_year=tuple((year, 12) for year in range(2000, 2017)),
    today=date(2026, 11, 23),
    params=load_parameters(),
)


def history(province=SHANXI, *, years=range(1990, 1996), months=12, **changes):
    base = ProvinceHistory(
        province=province,
        request_id=f"TX-KS-{province[:2]}",
        reference=f"CX-{province}-000001",
        answered_for=ID_NUMBER,
        answered_province=province,
        found=True,
        relationship=Relationship.TRANSFERRED,
        transferred_to=HEBEI,
        archive_held=False,
        years=tuple(ProvinceYear(y, months, Decimal("300.00"), "太原重型机器厂") for y in years),
    )
    return replace(base, **changes)


def records(*histories, unregistered=(), answered_for=ID_NUMBER):
    listed = tuple(h.province for h in histories) + tuple(unregistered)
    return CrossProvinceRecords("TX-KS", answered_for, listed, tuple(histories), unregistered)


def test_no_records_elsewhere_is_done():
    outcome = decide(records(), LOCAL)

    assert outcome.status is TaskStatus.DONE
    assert outcome.summary == "外省无参保记录"
    assert outcome.evidence == ("partner:全国参保登记信息库:TX-KS",)
    assert "transferred_months" not in outcome.result


def test_records_elsewhere_all_transferred_are_done_with_their_months():
    outcome = decide(records(history(), history(HENAN, years=range(1996, 1998))), LOCAL)

    assert outcome.status is TaskStatus.DONE, outcome.summary
    assert outcome.result["transferred_months"] == 72 + 24
    assert "山西省6年、河南省2年，合计8年" in outcome.summary
    assert "国办发〔2009〕66号" in outcome.summary
    assert "partner:山西省社保经办机构:CX-140000-000001" in outcome.evidence
    assert outcome.result["provinces"][SHANXI]["months"] == 72
    assert outcome.result["benefit_province"] == HEBEI


def test_a_relationship_still_open_elsewhere_goes_to_a_person_naming_the_province():
    still_open = history(relationship=Relationship.OPEN, transferred_to="", archive_held=True)

    outcome = decide(records(still_open), LOCAL)

    assert outcome.status is TaskStatus.NEEDS_PERSON
    assert outcome.summary.startswith("须办理养老保险关系转移接续（山西省）")
    assert outcome.result["provinces"][SHANXI]["archive_held"] is True
    assert "transferred_months" not in outcome.result


def test_another_province_as_benefit_place_goes_to_a_person_naming_it():
    """户籍 河南, 8 years here, 12 years in 河南 before: 第六条第（三）项 sends it back there."""
    local = replace(LOCAL, hukou_province=HENAN, local_months=96)

    outcome = decide(records(history(HENAN, years=range(1984, 1996))), local)

    assert outcome.status is TaskStatus.NEEDS_PERSON
    assert "第六条第（三）项，待遇领取地为河南省" in outcome.summary
    assert "应由河南省社保经办机构办理退休" in outcome.summary
    assert "户籍地河南省，依据参保人登记的户籍地区划" in outcome.summary
    assert outcome.result["benefit_province"] == HENAN and outcome.result["clause"] == 3


def test_ten_years_here_keep_a_person_with_another_hukou_here():
    local = replace(LOCAL, hukou_province=HENAN, local_months=120)

    outcome = decide(records(history(HENAN, years=range(1984, 1996))), local)

    assert outcome.status is TaskStatus.DONE and outcome.result["clause"] == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (records(history(), answered_for=make_id_number("19700101")), "全国参保登记信息库答复的"),
        (records(history(answered_for=make_id_number("19700101"))), "公民身份号码与所查询的不一致"),
        (records(history(answered_province=HENAN)), "答复的参保地为河南省"),
        (records(history(found=False, years=())), "山西省社保经办机构查无此人参保记录"),
        (records(history(months=13)), "1990年缴费月数为13，应在1到12之间"),
        (records(history(months=-2)), "缴费月数为-2"),
        (records(history(years=[1981])), "缴费年度1981年不可能（本人1982年满16周岁"),
        (records(history(years=[2027])), "缴费年度2027年不可能"),
        (records(history(years=[1990, 1990])), "1990年合计缴费24个月，超过12个月"),
        (records(history(years=[2005])), "2005年本省与外省合计缴费24个月，超过12个月（重复缴费）"),
    ],
    ids=[
        "index-for-another-id",
        "node-for-another-id",
        "node-names-another-province",
        "listed-but-not-found",
        "over-12-months",
        "negative-months",
        "before-16",
        "future-year",
        "one-year-twice",
        "paid-here-and-there",
    ],
)
def test_an_answer_that_cannot_be_true_is_a_dispute_in_chinese(answer, message):
    outcome = decide(answer, LOCAL)

    assert outcome.status is TaskStatus.DISPUTED
    assert message in outcome.summary


def test_a_negative_base_is_a_dispute():
    bad = history(years=[1990])
    bad = replace(bad, years=(replace(bad.years[0], base=Decimal("-1")),))

    assert decide(records(bad), LOCAL).status is TaskStatus.DISPUTED


def test_a_province_without_a_registered_node_goes_to_a_person():
    outcome = decide(records(history(), unregistered=("440000",)), LOCAL)

    assert outcome.status is TaskStatus.NEEDS_PERSON
    assert "广东省" in outcome.summary and "未登记该省社保经办机构节点" in outcome.summary


def test_a_relationship_transferred_to_a_third_province_goes_to_a_person():
    outcome = decide(records(history(transferred_to=HENAN)), LOCAL)

    assert outcome.status is TaskStatus.NEEDS_PERSON
    assert "山西省转往河南省" in outcome.summary


# --- what the contributions task reads -------------------------------------------------------

SUBMITTED = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


def _with_cross_province(status, result=None):
    return [
        replace(task, status=status, result=result or {})
        if task.kind is TaskKind.CROSS_PROVINCE
        else task
        for task in tasks_for(1, SUBMITTED, ApplicationRoute.STATUTORY)
    ]


def test_the_contributions_task_reads_the_months_once_the_cross_province_task_is_done():
    done = _with_cross_province(TaskStatus.DONE, {"transferred_months": 84})

    assert transferred_months(done) == 84
    assert transferred_months(_with_cross_province(TaskStatus.DONE)) == 0


@pytest.mark.parametrize("status", [TaskStatus.WAITING, TaskStatus.RUNNING])
def test_the_contributions_task_waits_while_the_cross_province_task_is_undecided(status):
    with pytest.raises(WaitingForTaskError, match="待跨省参保记录核查完成"):
        transferred_months(_with_cross_province(status))


@pytest.mark.parametrize("status", [TaskStatus.NEEDS_PERSON, TaskStatus.DISPUTED])
def test_a_cross_province_task_with_a_person_counts_nothing_yet(status):
    assert transferred_months(_with_cross_province(status)) is None


def test_an_application_from_before_the_cross_province_task_counts_no_months():
    tasks = _with_cross_province(TaskStatus.WAITING)
    older = [task for task in tasks if task.kind is not TaskKind.CROSS_PROVINCE]

    assert transferred_months(older) == 0
    assert transferred_months(_with_cross_province(TaskStatus.REFUSED)) == 0
