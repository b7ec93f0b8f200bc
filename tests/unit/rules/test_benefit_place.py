"""待遇领取地 under 国办发〔2009〕66号《城镇企业职工基本养老保险关系转移接续暂行办法》第六条
(the brief called it 人社部发〔2009〕66号; the 办法 was issued by the State Council's office):
its four items, and the 10-year boundary (满10年: 120 months count, 119 do not)."""

from datetime import date

import pytest

from retirelink.errors import InvalidInputError
from retirelink.rules import InsuredPlace, YearMonth, benefit_place, load_parameters
from retirelink.rules.benefit_place import province_name, province_of

PARAMS = load_parameters()
ON = date(2026, 11, 23)
HEBEI, SHANXI, HENAN, GUANGDONG = "130000", "140000", "410000", "440000"


def place(province: str, months: int, last: str = "2026-10") -> InsuredPlace:
    return InsuredPlace(province, months, YearMonth.parse(last))


def decide(places, *, current=HEBEI, hukou=HEBEI):
    return benefit_place(places, current=current, hukou=hukou, on=ON, params=PARAMS)


def test_item_1_relationship_in_the_hukou_province_is_handled_there_whatever_the_months():
    result = decide([place(HEBEI, 24), place(SHANXI, 200, "2010-06")])

    assert (result.province, result.clause) == (HEBEI, 1)
    assert "户籍所在地（河北省）" in result.reason
    assert result.explanation.step("in_hukou").references == ("国办发〔2009〕66号第六条第（一）项",)


def test_item_2_ten_years_where_the_relationship_is_makes_that_province_the_benefit_place():
    result = decide([place(HEBEI, 120), place(HENAN, 130, "2010-06")], hukou=HENAN)

    assert (result.province, result.clause) == (HEBEI, 2)
    assert "满10年" in result.reason


def test_item_3_short_of_ten_years_goes_back_to_the_last_earlier_place_with_ten():
    places = [
        place(HEBEI, 60),
        place(SHANXI, 150, "2005-12"),  # earlier, 10 years reached
        place(HENAN, 125, "2015-12"),  # later, 10 years reached: the last one
        place(GUANGDONG, 30, "2020-12"),  # latest, but short of 10 years
    ]

    result = decide(places, hukou=GUANGDONG)

    assert (result.province, result.clause) == (HENAN, 3)
    assert "上一个缴费满10年的参保地为河南省" in result.reason
    assert result.explanation.step("earlier_place").result == HENAN


def test_item_4_short_of_ten_years_everywhere_collects_to_the_hukou_province():
    places = [place(HEBEI, 119), place(SHANXI, 119, "2012-01"), place(HENAN, 60, "2005-01")]

    result = decide(places, hukou=GUANGDONG)

    assert (result.province, result.clause) == (GUANGDONG, 4)
    assert "户籍所在地广东省" in result.reason


@pytest.mark.parametrize(
    ("months", "province", "clause"),
    [(119, GUANGDONG, 4), (120, HEBEI, 2), (121, HEBEI, 2)],
    ids=["119-months-is-not-ten-years", "120-months-is-ten-years", "121-months"],
)
def test_the_ten_year_boundary_where_the_relationship_is(months, province, clause):
    result = decide([place(HEBEI, months)], hukou=GUANGDONG)

    assert (result.province, result.clause) == (province, clause)


@pytest.mark.parametrize(
    ("months", "province", "clause"),
    [(119, GUANGDONG, 4), (120, SHANXI, 3)],
    ids=["earlier-place-119-months", "earlier-place-120-months"],
)
def test_the_ten_year_boundary_of_an_earlier_place(months, province, clause):
    result = decide([place(HEBEI, 30), place(SHANXI, months, "2015-01")], hukou=GUANGDONG)

    assert (result.province, result.clause) == (province, clause)


def test_the_ten_years_are_a_cited_parameter():
    step = decide([place(HEBEI, 30)], hukou=GUANGDONG).explanation.step(
        "参数:transfer.benefit_place_months"
    )

    assert step.result == "120"
    assert any("国办发〔2009〕66号" in reference for reference in step.references)


@pytest.mark.parametrize(
    ("places", "current", "message"),
    [
        ([place(SHANXI, 30)], HEBEI, "关系所在地应在参保地之中"),
        ([place(HEBEI, 30), place(HEBEI, 20)], HEBEI, "同一省份"),
        ([place(HEBEI, -1)], HEBEI, "不能为负"),
        ([place("130406", 30)], "130406", "省级行政区划代码"),
    ],
    ids=["current-not-among-places", "province-twice", "negative-months", "county-code"],
)
def test_impossible_facts_are_refused_in_chinese(places, current, message):
    with pytest.raises(InvalidInputError, match=message):
        decide(places, current=current)


def test_province_codes_and_names():
    assert province_of("130406") == HEBEI
    assert province_name(SHANXI) == "山西省"
    with pytest.raises(InvalidInputError):
        province_of("13040")
