"""Candidate facts from the OCR lines of real-looking archive pages, noise included."""

from datetime import date

import pytest

from retirelink.archives.fact_extraction import (
    CONFIDENCE_FREE_TEXT,
    CONFIDENCE_LABEL_BELOW,
    CONFIDENCE_LABEL_NEXT_LINE,
    CONFIDENCE_LABEL_RIGHT,
    CONFIDENCE_LABEL_SAME_LINE,
    CONFIDENCE_RESUME_ROW,
    PRIOR_EXPECTED,
    PRIOR_UNEXPECTED,
    extract_facts,
)
from retirelink.archives.fact_kinds import ExtractedFact, FactKind
from retirelink.archives.holdings import DatePrecision, FuzzyDate, OcrLine
from retirelink.archives.material_classes import MaterialType

REFERENCE = 2026
DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR


def month(year: int, month_: int) -> FuzzyDate:
    return FuzzyDate(date(year, month_, 1), MONTH)


def extract(lines: list[OcrLine], material_type: MaterialType) -> list[ExtractedFact]:
    return extract_facts(lines, material_type, reference_year=REFERENCE)


def of_kind(facts: list[ExtractedFact], kind: FactKind) -> list[ExtractedFact]:
    return [fact for fact in facts if fact.kind is kind]


def dates(facts: list[ExtractedFact]) -> list[tuple[str | None, str | None]]:
    return [
        (str(fact.start) if fact.start else None, str(fact.end) if fact.end else None)
        for fact in facts
    ]


# A 招工登记表 as a table OCR engine returns it: one line per cell, with its box.
RECRUITMENT_PAGE = [
    OcrLine("招工登记表", (400, 40, 700, 90), 0.99),
    OcrLine("姓名", (50, 150, 150, 190), 0.98),
    OcrLine("张建国", (170, 150, 300, 190), 0.97),
    OcrLine("出 生 年 月", (320, 150, 450, 190), 0.91),
    OcrLine("1965.3", (470, 150, 560, 190), 0.96),
    OcrLine("出生地", (50, 210, 150, 250), 0.97),
    OcrLine("河北省磁县", (170, 210, 330, 250), 0.95),
    OcrLine("参加工作时间", (50, 270, 200, 310), 0.98),
    OcrLine("一九八三年七月", (220, 270, 400, 310), 0.93),
    OcrLine("文化程度", (420, 270, 520, 310), 0.98),
    OcrLine("初中", (540, 270, 600, 310), 0.99),
    OcrLine("家庭主要成员", (50, 400, 250, 440), 0.97),
    OcrLine("父亲 张德福 1938年5月出生 峰峰矿务局工人", (50, 450, 700, 490), 0.9),
    OcrLine("填表日期 1983年7月20日", (50, 900, 400, 940), 0.95),
]


def test_a_recruitment_form_gives_the_birth_date_and_the_start_of_work_from_its_cells():
    facts = extract(RECRUITMENT_PAGE, MaterialType.RECRUITMENT_REGISTRATION)
    assert [(fact.kind, dates([fact])[0]) for fact in facts] == [
        (FactKind.BIRTH_DATE, ("1965年3月", None)),
        (FactKind.WORK_START, ("1983年7月", None)),
    ]
    birth = facts[0]
    assert birth.start == month(1965, 3)
    # The fact points at the value cell, and the snippet shows the label with it.
    assert (birth.line_index, birth.span, birth.box) == (4, (0, 6), (470, 150, 560, 190))
    assert birth.snippet == "出生年月：1965.3"


def test_a_date_that_is_not_the_persons_birth_date_never_becomes_one():
    facts = extract(RECRUITMENT_PAGE, MaterialType.RECRUITMENT_REGISTRATION)
    births = of_kind(facts, FactKind.BIRTH_DATE)
    # Not the father's 1938年5月出生, not the 填表日期, not the start of work.
    assert dates(births) == [("1965年3月", None)]


def test_a_birthplace_label_does_not_take_the_date_below_it():
    lines = [
        OcrLine("出生地", (50, 100, 150, 140)),
        OcrLine("1983.7", (50, 150, 150, 190)),
    ]
    assert extract(lines, MaterialType.RECRUITMENT_REGISTRATION) == []


def test_in_a_recruitment_form_the_first_date_after_a_bare_birth_label_is_the_birth_date():
    # OCR lost 年月 from the label cell; the material type says a birth date is stated here.
    lines = [OcrLine("出 生", (320, 150, 400, 190)), OcrLine("1965.3", (420, 150, 520, 190))]
    facts = extract(lines, MaterialType.RECRUITMENT_REGISTRATION)
    assert [(fact.kind, fact.start) for fact in facts] == [(FactKind.BIRTH_DATE, month(1965, 3))]
    # A 工资变动表 states no birth date: the bare word is not trusted as a label there.
    assert extract(lines, MaterialType.WAGE_CHANGE) == []


def test_a_regularisation_form_ocrd_as_a_header_row_and_a_value_row_pairs_them_in_order():
    lines = [
        OcrLine("转正定级审批表"),
        OcrLine("出生年月 参加工作时间 文化程度"),
        OcrLine("1965.3 1983.7 初中"),
        OcrLine("转正时间 1984年7月 工种 钳工 定级 三级工"),
    ]
    facts = extract(lines, MaterialType.REGULARISATION_GRADING)
    assert [(fact.kind, fact.start, fact.line_index) for fact in facts] == [
        (FactKind.BIRTH_DATE, month(1965, 3), 2),
        (FactKind.WORK_START, month(1983, 7), 2),
        (FactKind.JOB_CHANGE, month(1984, 7), 3),
    ]
    assert "钳工" in facts[2].detail


def test_a_header_row_and_a_value_row_that_do_not_match_up_give_nothing():
    lines = [OcrLine("出生年月 参加工作时间"), OcrLine("1965.3")]
    assert extract(lines, MaterialType.REGULARISATION_GRADING) == []


CADRE_RESUME = [
    OcrLine("干部履历表"),
    OcrLine("姓名 李明 性别 男 出生年月 一九六三年八月 民族 汉"),
    OcrLine("入党时间 1985.07 参加工作时间 1983.07"),
    OcrLine("学 历 大学本科 毕业学校 河北矿业学院"),
    OcrLine("本 人 简 历"),
    OcrLine("1979.09—1983.07 河北矿业学院采矿专业学习"),
    OcrLine("1983.07—1990.05 峰峰矿务局羊渠河矿 技术员"),
    OcrLine("1990.05-至今 峰峰矿务局机修厂 副厂长"),
    OcrLine("家庭主要成员及重要社会关系 称谓 姓名 出生年月 政治面貌 工作单位及职务"),
    OcrLine("父亲 李德 1935.02 群众 峰峰矿务局退休"),
    OcrLine("妻子 王芳 1965.11 党员 峰峰矿务局医院"),
]


def test_a_cadre_resume_gives_birth_party_work_education_and_posts():
    facts = extract(CADRE_RESUME, MaterialType.RESUME)
    assert [(fact.kind, *dates([fact])[0]) for fact in facts] == [
        (FactKind.BIRTH_DATE, "1963年8月", None),
        (FactKind.PARTY_JOIN, "1985年7月", None),
        (FactKind.WORK_START, "1983年7月", None),
        (FactKind.EDUCATION, "1979年9月", "1983年7月"),
        (FactKind.JOB_CHANGE, "1983年7月", "1990年5月"),
        (FactKind.JOB_CHANGE, "1990年5月", None),
    ]
    education, first_post, current_post = facts[3], facts[4], facts[5]
    assert "河北矿业学院" in education.detail
    assert first_post.detail == "峰峰矿务局羊渠河矿 技术员"
    assert current_post.detail == "峰峰矿务局机修厂 副厂长"
    # A resume row is the least trusted way to find a fact.
    assert first_post.confidence < education.confidence < facts[0].confidence


def test_family_rows_of_a_resume_give_no_facts():
    facts = extract(CADRE_RESUME, MaterialType.RESUME)
    assert all(fact.line_index < 8 for fact in facts)
    assert len(of_kind(facts, FactKind.BIRTH_DATE)) == 1


SPECIAL_JOB_PAGE = [
    OcrLine("特殊工种提前退休审批表"),
    OcrLine("姓名 王振海 出生年月 1962.10"),
    OcrLine("工种名称 井下采煤"),
    OcrLine("起止时间"),
    OcrLine("1980年3月至1995年6月"),
    OcrLine("1980年3月至1995年6月在峰峰矿务局羊渠河矿井下采煤"),
    OcrLine("审批日期 1996.3.2"),
]


def test_a_special_job_approval_gives_the_period_and_the_job_type():
    facts = extract(SPECIAL_JOB_PAGE, MaterialType.SPECIAL_JOB_APPROVAL)
    assert [(fact.kind, *dates([fact])[0], fact.detail) for fact in facts] == [
        (FactKind.BIRTH_DATE, "1962年10月", None, ""),
        (FactKind.SPECIAL_JOB_PERIOD, "1980年3月", "1995年6月", "井下采煤"),
        (FactKind.SPECIAL_JOB_PERIOD, "1980年3月", "1995年6月", "在峰峰矿务局羊渠河矿井下采煤"),
    ]


def test_a_bare_period_label_is_a_special_job_period_only_in_a_special_job_approval():
    lines = [
        OcrLine("起止时间 在何单位任何职"),
        OcrLine("1983.07—1990.05 峰峰矿务局羊渠河矿 技术员"),
    ]
    facts = extract(lines, MaterialType.RESUME)
    assert [fact.kind for fact in facts] == [FactKind.JOB_CHANGE]


def test_a_special_job_period_in_free_text_is_found_in_any_material():
    lines = [OcrLine("1980年3月至1995年6月在XX矿井下采煤，1995年7月调入机修厂任钳工")]
    facts = extract(lines, MaterialType.AUTOBIOGRAPHY)
    assert [(fact.kind, *dates([fact])[0]) for fact in facts] == [
        (FactKind.SPECIAL_JOB_PERIOD, "1980年3月", "1995年6月"),
        (FactKind.JOB_CHANGE, "1995年7月", None),
    ]
    assert facts[1].detail == "调入机修厂任钳工"
    assert all(fact.confidence == CONFIDENCE_FREE_TEXT for fact in facts)


ENLISTMENT_PAGE = [
    OcrLine("入伍批准书"),
    OcrLine("张三同志 一九六〇年三月出生，于一九七八年十二月应征入伍"),
    OcrLine("批准入伍时间 1978.12 部队番号 51001部队"),
    OcrLine("1983年1月退伍"),
    OcrLine("签发日期 1978年12月5日"),
]


def test_an_enlistment_gives_military_service_and_the_enlistment_date_is_no_birth_date():
    facts = extract(ENLISTMENT_PAGE, MaterialType.ENLISTMENT)
    assert [(fact.kind, *dates([fact])[0]) for fact in facts] == [
        (FactKind.BIRTH_DATE, "1960年3月", None),
        (FactKind.MILITARY_SERVICE, "1978年12月", None),
        (FactKind.MILITARY_SERVICE, "1978年12月", None),
        (FactKind.MILITARY_SERVICE, None, "1983年1月"),
    ]
    assert "51001部队" in facts[2].detail


@pytest.mark.parametrize(
    ("line", "kind", "start", "end"),
    [
        ("1965年3月出生于河北省磁县", FactKind.BIRTH_DATE, "1965年3月", None),
        ("生于一九六五年三月", FactKind.BIRTH_DATE, "1965年3月", None),
        ("于1983年7月在峰峰矿务局参加工作", FactKind.WORK_START, "1983年7月", None),
        ("1985年7月加入中国共产党", FactKind.PARTY_JOIN, "1985年7月", None),
        ("1983年7月毕业于河北矿业学院采矿专业", FactKind.EDUCATION, None, "1983年7月"),
        ("1990年5月任采煤一队队长", FactKind.JOB_CHANGE, "1990年5月", None),
        (
            "1978年12月至1983年1月在51001部队服役",
            FactKind.MILITARY_SERVICE,
            "1978年12月",
            "1983年1月",
        ),
        ("1983年1月复员", FactKind.MILITARY_SERVICE, None, "1983年1月"),
    ],
)
def test_free_text_states_facts_with_a_keyword_after_the_date(line, kind, start, end):
    facts = extract([OcrLine(line)], MaterialType.AUTOBIOGRAPHY)
    assert [(fact.kind, *dates([fact])[0]) for fact in facts] == [(kind, start, end)]


@pytest.mark.parametrize(
    "line",
    [
        "1984年列为入党积极分子",
        "1983年7月生产任务超额完成",
        "填表日期 1983年7月20日",
        "批准日期：1983.7.20",
        "1983年7月20日",
        "出生年月 一九六五年正月",  # lunar: a reviewer converts it, the extractor does not
        "出生年月 1965年2月30日",
        "连续工龄25年",
    ],
)
def test_dates_without_a_fact_give_no_candidate(line):
    assert extract([OcrLine(line)], MaterialType.RECRUITMENT_REGISTRATION) == []


def test_confidence_follows_how_the_fact_was_found():
    expected = PRIOR_EXPECTED  # a birth date is expected in a 招工登记表
    same_line = extract([OcrLine("出生年月 1965.3")], MaterialType.RECRUITMENT_REGISTRATION)
    right = extract(
        [OcrLine("出生年月", (0, 0, 100, 30)), OcrLine("1965.3", (120, 0, 200, 30))],
        MaterialType.RECRUITMENT_REGISTRATION,
    )
    below = extract(
        [OcrLine("出生年月", (0, 0, 100, 30)), OcrLine("1965.3", (0, 40, 100, 70))],
        MaterialType.RECRUITMENT_REGISTRATION,
    )
    next_line = extract(
        [OcrLine("出生年月"), OcrLine("1965.3")], MaterialType.RECRUITMENT_REGISTRATION
    )
    free = extract([OcrLine("1965年3月出生")], MaterialType.RECRUITMENT_REGISTRATION)
    found = [same_line, right, below, next_line, free]
    assert all([fact.start for fact in facts] == [month(1965, 3)] for facts in found)
    assert [facts[0].confidence for facts in found] == [
        pytest.approx(min(0.99, base * expected), abs=1e-3)
        for base in (
            CONFIDENCE_LABEL_SAME_LINE,
            CONFIDENCE_LABEL_RIGHT,
            CONFIDENCE_LABEL_BELOW,
            CONFIDENCE_LABEL_NEXT_LINE,
            CONFIDENCE_FREE_TEXT,
        )
    ]
    assert CONFIDENCE_FREE_TEXT > CONFIDENCE_RESUME_ROW


def test_the_material_type_and_the_ocr_score_weigh_the_confidence():
    line = [OcrLine("出生年月 1965.3")]
    expected = extract(line, MaterialType.RECRUITMENT_REGISTRATION)[0].confidence
    unexpected = extract(line, MaterialType.WAGE_CHANGE)[0].confidence
    neutral = extract(line, MaterialType.OTHER)[0].confidence
    assert unexpected == pytest.approx(CONFIDENCE_LABEL_SAME_LINE * PRIOR_UNEXPECTED)
    assert neutral == pytest.approx(CONFIDENCE_LABEL_SAME_LINE)
    assert unexpected < neutral < expected
    blurred = extract([OcrLine("出生年月 1965.3", score=0.5)], MaterialType.OTHER)[0]
    assert blurred.confidence == pytest.approx(CONFIDENCE_LABEL_SAME_LINE * 0.85)


def test_a_label_does_not_reach_past_another_label_for_its_value():
    lines = [
        OcrLine("出生年月", (0, 0, 100, 30)),
        OcrLine("参加工作时间", (120, 0, 260, 30)),
        OcrLine("1983.7", (280, 0, 360, 30)),
    ]
    facts = extract(lines, MaterialType.RECRUITMENT_REGISTRATION)
    assert [(fact.kind, fact.start) for fact in facts] == [(FactKind.WORK_START, month(1983, 7))]


@pytest.mark.parametrize(
    "label", ["出 生 年 月", "出生年月", "出生日期", "出生时间", "出 生 日 期", "出生年月日"]
)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1965.3", month(1965, 3)),
        ("１９６５．３", month(1965, 3)),
        ("一九六五年三月", month(1965, 3)),
        ("1965 年 3 月", month(1965, 3)),
        ("65年3月", month(1965, 3)),
        ("1965年3月15日", FuzzyDate(date(1965, 3, 15), DAY)),
    ],
)
def test_ocr_noise_in_labels_and_values_still_gives_the_birth_date(label, value, expected):
    for lines in ([OcrLine(f"{label} {value}")], [OcrLine(f"{label}："), OcrLine(value)]):
        facts = extract(lines, MaterialType.RECRUITMENT_REGISTRATION)
        assert [(fact.kind, fact.start) for fact in facts] == [(FactKind.BIRTH_DATE, expected)]


def test_the_span_of_a_fact_is_the_date_in_the_original_line():
    line = "姓名 张建国 出生年月 １９６５．３ 民族 汉"
    (fact,) = extract([OcrLine(line)], MaterialType.RECRUITMENT_REGISTRATION)
    assert line[fact.span[0] : fact.span[1]] == "１９６５．３"
    assert fact.snippet == line


def test_fact_kinds_have_chinese_labels():
    assert [kind.label for kind in FactKind] == [
        "出生日期",
        "参加工作时间",
        "岗位/职务变动",
        "特殊工种期间",
        "服役期间",
        "入党时间",
        "学历",
    ]
