"""The 三龄两历 check and the birth date the law picks, each case with its source."""

import pytest

from retirelink.archives.birth_date_choice import (
    BIRTH_RULE,
    BirthDateStatus,
    BirthReviewReason,
    choose_birth_date,
)
from retirelink.archives.chinese_dates import parse_chinese_date
from retirelink.archives.consistency import check_consistency
from retirelink.archives.consistency_ages import (
    CHILD_LABOUR_RULE,
    PARTY_AGE_RULE,
    EducationLevel,
    education_level,
)
from retirelink.archives.consistency_periods import SPECIAL_JOB_RULE, employer_of
from retirelink.archives.contradictions import ContradictionKind
from retirelink.archives.fact_kinds import ExtractedFact, FactKind
from retirelink.archives.holdings import FuzzyDate, Material
from retirelink.archives.material_classes import MaterialType
from retirelink.archives.material_facts import MaterialFact

T = MaterialType
K = FactKind


def d(text: str | None) -> FuzzyDate | None:
    if text is None:
        return None
    parsed = parse_chinese_date(text, reference_year=2026)
    assert parsed is not None, text
    return parsed


def fact(
    kind: FactKind,
    material_id: int,
    material_type: MaterialType,
    formed: str | None,
    *,
    start: str | None = None,
    end: str | None = None,
    detail: str = "",
    altered: bool = False,
) -> MaterialFact:
    extracted = ExtractedFact(kind, d(start), d(end), detail, 0, (0, 0), None, "", 0.9)
    return MaterialFact(extracted, material_id, material_type, d(formed), altered)


def birth(material_id, material_type, formed, stated, *, altered=False) -> MaterialFact:
    return fact(K.BIRTH_DATE, material_id, material_type, formed, start=stated, altered=altered)


RECRUITMENT = birth(11, T.RECRUITMENT_REGISTRATION, "1983.7.20", "1965.3")
RESUME_OLDER = birth(12, T.RESUME, "1995.6.1", "1963.3")
RESUME_SAME = birth(13, T.RESUME, "1995.6.1", "1965.3.15")


def kinds(found) -> list[ContradictionKind]:
    return [item.kind for item in found]


# ------------------------------------------------------------------------ choose_birth_date


def test_the_record_formed_first_decides_not_the_earliest_birth_date():
    # 劳社部发〔1999〕8号 第二条(二): 以本人档案最先记载的出生时间为准; policy-spec §3.1 [B01]
    choice = choose_birth_date([RESUME_OLDER, RECRUITMENT])
    assert choice.status is BirthDateStatus.DECIDED
    assert choice.date == d("1965.3")
    assert choice.source == RECRUITMENT
    assert choice.conflicting == (RESUME_OLDER,)
    assert "劳社部发〔1999〕8号" in choice.message
    assert "招工登记表（材料11，形成于1983年7月20日）记载的出生时间1965年3月为准" in choice.message


def test_agreeing_records_of_different_precision_are_no_conflict():
    # 劳社部发〔1999〕8号 第二条(二): 1965年3月 and 1965年3月15日 state the same birth
    choice = choose_birth_date([RECRUITMENT, RESUME_SAME])
    assert (choice.status, choice.date, choice.conflicting) == (
        BirthDateStatus.DECIDED,
        d("1965.3"),
        (),
    )


def test_two_records_formed_the_same_day_that_disagree_go_to_manual_verification():
    # 劳社部发〔1999〕8号 第二条(二); 劳办函〔1993〕67号; policy-spec §3.1 [B02]
    other = birth(14, T.STUDENT_REGISTRATION, "1983.7.20", "1964.3")
    choice = choose_birth_date([RECRUITMENT, other, RESUME_OLDER])
    assert choice.status is BirthDateStatus.MANUAL_VERIFICATION
    assert choice.reasons == (BirthReviewReason.SAME_DAY_CONFLICT,)
    assert (choice.date, choice.candidate, choice.source) == (None, None, None)
    assert set(choice.conflicting) == {RECRUITMENT, other, RESUME_OLDER}
    assert "需人工核实" in choice.message


def test_two_records_formed_the_same_day_that_agree_decide_with_the_more_precise_one():
    # 劳社部发〔1999〕8号 第二条(二): both are the earliest record; they say the same
    other = birth(14, T.STUDENT_REGISTRATION, "1983.7.20", "1965.3.15")
    choice = choose_birth_date([RECRUITMENT, other])
    assert (choice.status, choice.date, choice.source) == (
        BirthDateStatus.DECIDED,
        d("1965.3.15"),
        other,
    )


def test_an_altered_earliest_record_is_not_decided_even_when_later_records_agree():
    # 劳社部发〔1999〕8号 第二条(二)（严禁随意更改职工出生时间）; policy-spec §3.1 [B02]
    altered = birth(11, T.RECRUITMENT_REGISTRATION, "1983.7.20", "1960.3", altered=True)
    later = birth(12, T.RESUME, "1995.6.1", "1960.3")
    choice = choose_birth_date([altered, later])
    assert choice.status is BirthDateStatus.MANUAL_VERIFICATION
    assert choice.reasons == (BirthReviewReason.ALTERED,)
    assert (choice.date, choice.candidate, choice.source) == (None, d("1960.3"), altered)
    assert choice.altered == (altered,)
    assert "最先形成的材料有涂改" in choice.message
    assert "劳办函〔1993〕67号" in choice.message


def test_an_altered_later_record_is_listed_but_does_not_decide():
    # policy-spec §3.1 (3): alterations are a first-class flag; only the earliest record decides
    altered = birth(12, T.RESUME, "1995.6.1", "1960.3", altered=True)
    choice = choose_birth_date([RECRUITMENT, altered])
    assert (choice.status, choice.date) == (BirthDateStatus.DECIDED, d("1965.3"))
    assert choice.altered == (altered,)
    assert choice.conflicting == (altered,)


def test_an_earliest_record_with_the_year_only_goes_to_manual_verification():
    # policy-spec §3.1 [B02]: 最先记载的材料未记载出生月份 → 不自动认定
    year_only = birth(11, T.RECRUITMENT_REGISTRATION, "1983.7.20", "1965年")
    choice = choose_birth_date([year_only, RESUME_SAME])
    assert choice.status is BirthDateStatus.MANUAL_VERIFICATION
    assert choice.reasons == (BirthReviewReason.MONTH_MISSING,)
    # The later record agrees (1965年3月15日 is in 1965): no conflict, and the most precise
    # of the possibly-earliest records is only the year one.
    assert (choice.candidate, choice.conflicting) == (d("1965年"), ())


def test_a_record_formed_in_a_year_may_precede_one_formed_on_a_day_of_that_year():
    # 劳社部发〔1999〕8号 第二条(二): "最先" cannot be told between 1983 and 1983-07-20
    year_formed = birth(15, T.WORKER_REGISTRATION, "1983", "1964.3")
    choice = choose_birth_date([RECRUITMENT, year_formed])
    assert choice.status is BirthDateStatus.MANUAL_VERIFICATION
    assert choice.reasons == (BirthReviewReason.SAME_DAY_CONFLICT,)


def test_a_record_of_unknown_formation_that_disagrees_blocks_the_decision():
    # 劳社部发〔1999〕8号 第二条(二): an undated record may be the one formed first
    undated = birth(16, T.OTHER, None, "1962.3")
    choice = choose_birth_date([RECRUITMENT, undated])
    assert choice.status is BirthDateStatus.MANUAL_VERIFICATION
    assert choice.reasons == (BirthReviewReason.FORMATION_UNKNOWN,)
    agreeing = birth(16, T.OTHER, None, "1965.3")
    assert choose_birth_date([RECRUITMENT, agreeing]).status is BirthDateStatus.DECIDED


def test_without_any_record_the_id_card_decides():
    # policy-spec §3.1 [B04] (marked U): no archive record → 居民身份证
    choice = choose_birth_date([fact(K.WORK_START, 11, T.RESUME, "1983.7", start="1983.7")])
    assert (choice.status, choice.date, choice.source) == (BirthDateStatus.NO_RECORD, None, None)
    assert "居民身份证" in choice.message


def test_an_earliest_record_stating_a_birth_after_its_own_formation_is_not_decided():
    # 材料形成时间: a record cannot state a birth after it was written (an OCR or a forged date)
    impossible = birth(11, T.RECRUITMENT_REGISTRATION, "1983.7.20", "1985.3")
    choice = choose_birth_date([impossible, RESUME_SAME])
    assert choice.reasons == (BirthReviewReason.BIRTH_AFTER_FORMATION,)
    assert ContradictionKind.BIRTH_AFTER_FORMATION in kinds(check_consistency([impossible]))


def test_a_material_fact_is_built_from_the_stored_material():
    material = Material(
        id=11,
        archive_id=1,
        class_code="9-2",
        material_type=T.RECRUITMENT_REGISTRATION,
        title="招工登记表",
        formation_date=d("1983.7.20"),
        catalogued_pages=2,
        sequence=1,
        altered=True,
    )
    extracted = RECRUITMENT.fact
    built = MaterialFact.of(extracted, material)
    assert built == MaterialFact(extracted, 11, T.RECRUITMENT_REGISTRATION, d("1983.7.20"), True)
    assert built.source_label == "招工登记表（材料11，形成于1983年7月20日，有涂改）"
    unsaved = Material(None, 1, "10", T.OTHER, "其他材料", None, 1, 1)
    with pytest.raises(ValueError, match="stored"):
        MaterialFact.of(extracted, unsaved)


# ------------------------------------------------------------------------ contradictions


def test_birth_dates_that_disagree_are_one_contradiction_naming_the_law_s_choice():
    # 劳社部发〔1999〕8号 第二条(二)
    (found,) = check_consistency([RECRUITMENT, RESUME_OLDER])
    assert found.kind is ContradictionKind.BIRTH_DATE_CONFLICT
    assert found.reference == BIRTH_RULE
    assert found.facts == (RECRUITMENT, RESUME_OLDER)
    assert "各材料记载的出生时间不一致" in found.message
    assert "以最先形成的材料招工登记表" in found.message


def test_a_clean_archive_has_no_contradictions():
    facts = [
        RECRUITMENT,
        RESUME_SAME,
        fact(K.WORK_START, 11, T.RECRUITMENT_REGISTRATION, "1983.7.20", start="1983.7"),
        fact(K.PARTY_JOIN, 13, T.RESUME, "1995.6.1", start="1988.7"),
        fact(K.EDUCATION, 13, T.RESUME, "1995.6.1", end="1981.7", detail="峰峰一中 高中"),
        fact(K.JOB_CHANGE, 13, T.RESUME, "1995.6.1", start="1983.07", end="1990.05",
             detail="峰峰矿务局羊渠河矿 技术员"),
        fact(K.JOB_CHANGE, 13, T.RESUME, "1995.6.1", start="1990.05", end="1995.05",
             detail="峰峰矿务局机修厂 副厂长"),
        fact(K.SPECIAL_JOB_PERIOD, 17, T.SPECIAL_JOB_APPROVAL, "1996.3.2",
             start="1983.7", end="1990.5", detail="井下采煤"),
    ]  # fmt: skip
    assert check_consistency(facts) == []


@pytest.mark.parametrize(
    ("work_start", "flagged"),
    [
        ("1978.9", True),  # 13 years old
        ("1981.3.14", True),  # the day before the 16th birthday
        ("1981.3.15", False),  # the 16th birthday
        ("1981.2", True),  # even 1981-02-28 is before 1981-03-15
        ("1981.3", False),  # 1981-03-31 may be after the birthday: not certain
        ("1981年", False),
    ],
)
def test_work_started_before_sixteen_is_child_labour(work_start, flagged):
    # 《禁止使用童工规定》（国务院令第364号）第二条: 不得招用不满16周岁的未成年人
    born = birth(11, T.RECRUITMENT_REGISTRATION, "1983.7.20", "1965.3.15")
    work = fact(K.WORK_START, 11, T.RECRUITMENT_REGISTRATION, "1983.7.20", start=work_start)
    found = [item for item in check_consistency([born, work]) if item.kind.name.startswith("WORK")]
    assert kinds(found) == ([ContradictionKind.WORK_UNDER_AGE] if flagged else [])
    if flagged:
        assert found[0].reference == CHILD_LABOUR_RULE
        assert found[0].facts == (work, born)
        assert "未满16周岁" in found[0].message


def test_a_later_altered_birth_date_does_not_hide_child_labour():
    # 劳社部发〔1999〕8号 第二条(二) + 国务院令第364号: the 2024 audit's "1岁工作" pattern —
    # a later record made older (17 at work by it); ages count from the record formed first (7).
    altered_older = birth(12, T.RESUME, "1995.6.1", "1955.3", altered=True)
    work = fact(K.WORK_START, 12, T.RESUME, "1995.6.1", start="1972.3")
    found = kinds(check_consistency([RECRUITMENT, altered_older, work]))
    assert found == [ContradictionKind.BIRTH_DATE_CONFLICT, ContradictionKind.WORK_UNDER_AGE]


def test_work_before_birth_is_its_own_contradiction():
    # 劳社部发〔1999〕8号 第二条(二): the birth date of the record formed first
    work = fact(K.WORK_START, 12, T.RESUME, "1995.6.1", start="1964.9")
    (found,) = check_consistency([RECRUITMENT, work])
    assert found.kind is ContradictionKind.WORK_BEFORE_BIRTH
    assert "早于出生时间1965年3月" in found.message


def test_ages_are_checked_against_an_unverified_birth_date_and_say_so():
    # policy-spec §3.1 [B02]: an altered earliest record awaits verification; ages still warn
    altered = birth(11, T.RECRUITMENT_REGISTRATION, "1983.7.20", "1965.3", altered=True)
    work = fact(K.WORK_START, 11, T.RECRUITMENT_REGISTRATION, "1983.7.20", start="1978.9")
    (found,) = check_consistency([altered, work])
    assert found.kind is ContradictionKind.WORK_UNDER_AGE
    assert "出生时间待人工核实" in found.message


@pytest.mark.parametrize(
    ("joined", "flagged"), [("1983.3.14", True), ("1983.3.15", False), ("1982年", True)]
)
def test_joining_the_party_before_eighteen_is_a_contradiction(joined, flagged):
    # 《中国共产党章程》第一条: 年满十八岁的…可以申请加入中国共产党
    born = birth(11, T.RECRUITMENT_REGISTRATION, "1983.7.20", "1965.3.15")
    party = fact(K.PARTY_JOIN, 18, T.PARTY_MEMBERSHIP, "1983.4.1", start=joined)
    found = check_consistency([born, party])
    assert kinds(found) == ([ContradictionKind.PARTY_UNDER_AGE] if flagged else [])
    if flagged:
        assert found[0].reference == PARTY_AGE_RULE


@pytest.mark.parametrize(
    ("graduated", "detail", "flagged"),
    [
        ("1979.7", "河北矿业学院采矿专业 本科", True),  # a university degree at 14
        ("1983.7", "河北矿业学院采矿专业 本科", False),  # at 18
        ("1979.7", "峰峰一中 初中", False),  # 初中 at 14
        ("1976.7", "峰峰一中 初中", True),  # 初中 at 11
        ("1979.7", "学习", False),  # no level named: nothing to compare
    ],
)
def test_graduation_at_an_age_the_level_does_not_allow_is_flagged(graduated, detail, flagged):
    # 学制常识 (plausibility thresholds MIN_GRADUATION_AGE, not law)
    education = fact(K.EDUCATION, 19, T.DIPLOMA, "1983.7.1", end=graduated, detail=detail)
    found = check_consistency([RECRUITMENT, education])
    assert kinds(found) == ([ContradictionKind.EDUCATION_AGE] if flagged else [])


def test_posts_at_different_employers_in_overlapping_periods_are_flagged():
    # policy-spec §3.2: continuous service counts once; one person, one employer at a time
    mine = fact(K.JOB_CHANGE, 13, T.RESUME, "1995.6.1", start="1983.07", end="1990.05",
                detail="峰峰矿务局羊渠河矿 技术员")  # fmt: skip
    steel = fact(K.JOB_CHANGE, 20, T.TRANSFER_LETTER, "1988.1.5", start="1988.01",
                 end="1990.01", detail="调入邯郸钢铁公司任技术员")  # fmt: skip
    next_post = fact(K.JOB_CHANGE, 13, T.RESUME, "1995.6.1", start="1990.05", end="1995.05",
                     detail="峰峰矿务局机修厂 副厂长")  # fmt: skip
    same_group = fact(K.JOB_CHANGE, 21, T.WAGE_CHANGE, "1986.1.1", start="1985.01",
                      end="1986.01", detail="峰峰矿务局 技术员")  # fmt: skip
    (found,) = check_consistency([mine, steel, next_post, same_group])
    assert found.kind is ContradictionKind.JOB_OVERLAP
    assert found.facts == (mine, steel)
    assert "峰峰矿务局羊渠河矿" in found.message and "邯郸钢铁公司" in found.message


def test_a_special_job_period_before_work_started_is_outside_the_work_history():
    # 国发〔1978〕104号 第一条第（二）项: special-job years are years of work
    work = fact(K.WORK_START, 11, T.RECRUITMENT_REGISTRATION, "1983.7.20", start="1983.7")
    special = fact(K.SPECIAL_JOB_PERIOD, 17, T.SPECIAL_JOB_APPROVAL, "1996.3.2",
                   start="1978.3", end="1995.6", detail="井下采煤")  # fmt: skip
    (found,) = check_consistency([work, special])
    assert found.kind is ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK
    assert found.reference == SPECIAL_JOB_RULE
    assert found.facts == (special, work)


def test_a_special_job_period_during_military_service_is_outside_civilian_work():
    # 国发〔1978〕104号 第一条第（二）项; the 入伍 and 退伍 dates come from two materials
    enlisted = fact(K.MILITARY_SERVICE, 22, T.ENLISTMENT, "1978.12.5", start="1978.12")
    discharged = fact(K.MILITARY_SERVICE, 23, T.DISCHARGE, "1983.1.10", end="1983.1")
    special = fact(K.SPECIAL_JOB_PERIOD, 17, T.SPECIAL_JOB_APPROVAL, "1996.3.2",
                   start="1980.3", end="1995.6", detail="井下采煤")  # fmt: skip
    (found,) = check_consistency([enlisted, discharged, special])
    assert found.kind is ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK
    assert found.facts == (special, enlisted, discharged)
    assert "服役期间1978年12月至1983年1月" in found.message


def test_military_service_overlapping_a_civilian_post_is_flagged_and_a_post_after_it_is_not():
    # policy-spec §3.2: 军龄 and 连续工龄 are each deemed contribution, never for the same months
    served = fact(K.MILITARY_SERVICE, 22, T.ENLISTMENT, "1978.12.5", start="1978.12",
                  end="1983.1")  # fmt: skip
    during = fact(K.JOB_CHANGE, 13, T.RESUME, "1995.6.1", start="1980.01", end="1983.01",
                  detail="峰峰矿务局羊渠河矿 工人")  # fmt: skip
    after = fact(K.JOB_CHANGE, 13, T.RESUME, "1995.6.1", start="1983.01", end="1990.01",
                 detail="峰峰矿务局机修厂 工人")  # fmt: skip
    found = check_consistency([served, during, after])
    assert kinds(found) == [ContradictionKind.MILITARY_OVERLAP]
    assert found[0].facts == (served, during)


def test_a_period_ending_before_it_starts_is_flagged():
    inverted = fact(K.SPECIAL_JOB_PERIOD, 17, T.SPECIAL_JOB_APPROVAL, "1996.3.2",
                    start="1995.6", end="1980.3")  # fmt: skip
    assert kinds(check_consistency([inverted])) == [ContradictionKind.INVERTED_PERIOD]


def test_contradiction_kinds_have_chinese_labels():
    assert ContradictionKind.WORK_UNDER_AGE.label == "参加工作时未满十六周岁"
    assert BirthDateStatus.MANUAL_VERIFICATION.label == "需人工核实"


# ------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("detail", "employer"),
    [
        ("调入峰峰矿务局机修厂任副厂长", "峰峰矿务局机修厂"),
        ("峰峰矿务局羊渠河矿 技术员", "峰峰矿务局羊渠河矿"),
        ("在峰峰矿务局羊渠河矿井下采煤", "峰峰矿务局羊渠河矿"),
        ("邯郸钢铁公司工作", "邯郸钢铁公司"),
        ("技术员", ""),
    ],
)
def test_employer_of_reads_the_unit_before_the_post(detail, employer):
    assert employer_of(detail) == employer


@pytest.mark.parametrize(
    ("detail", "level"),
    [
        ("河北矿业学院采矿专业", EducationLevel.UNIVERSITY),
        ("大学专科", EducationLevel.COLLEGE),
        ("中国矿业大学 硕士研究生", EducationLevel.POSTGRADUATE),
        ("邯郸煤炭技工学校", EducationLevel.SENIOR_MIDDLE),
        ("峰峰一中", None),
        ("峰峰第一中学", EducationLevel.JUNIOR_MIDDLE),
    ],
)
def test_education_level_reads_the_level_a_detail_names(detail, level):
    assert education_level(detail) == level
