"""Archive search on the real database (SQLite FTS5, or PostgreSQL pg_trgm and the gram
index): 1-, 2-, 3- and 6-character terms, AND, filters, catalogue hits, snippets, ranking,
index upkeep and bad input."""

import random
from datetime import date

import pytest
from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError

from retirelink.errors import InvalidInputError
from retirelink.storage import search_candidates, search_index
from retirelink.storage.archive_search import search_pages
from retirelink.storage.rows import PageTextRow
from retirelink.storage.search_index import rebuild_search_index, remove_page_text
from retirelink.storage.search_results import HitKind, SearchResult
from retirelink.storage.search_text import normalise
from tests.support.databases import configured_url, is_postgres
from tests.support.search_corpus import Corpus

pytestmark = pytest.mark.integration

ZHANG_RECRUIT = "招工登记表\n姓名：张三丰　性别：男\n1978年5月招收为峰峰矿务局第二煤矿井下采煤工"
ZHANG_WAGE = "工资变动表\n张三丰 1985年调整为井下四级工，月工资六十二元"
LI_CERAMIC = "职工登记表\n姓名：李秀英\n1980年在邯郸陶瓷厂成型车间从事陶瓷成型工作"
# 井 and 下 both occur, never side by side; no 煤 anywhere.
WANG_APART = "履历表\n姓名：王建国\n井口以东的下属单位，运输科"


@pytest.fixture
def corpus(services):
    with services.uow() as uow:
        corpus = Corpus(uow.session)
        corpus.archive("zhang", "张三丰", "FF-1958-0001")
        corpus.archive("li", "李秀英", "FF-1960-0002")
        corpus.archive("wang", "王建国", "FF-1955-0003")
        corpus.material(
            "zhang_recruit",
            "zhang",
            "招工登记表",
            material_type="recruitment_registration",
            class_code="9-2",
            formed=date(1978, 5, 1),
        )
        corpus.material(
            "zhang_wage",
            "zhang",
            "工资变动表",
            material_type="wage_change",
            class_code="9-1",
            formed=date(1985, 7, 1),
        )
        corpus.material(
            "li_worker",
            "li",
            "职工登记表",
            material_type="worker_registration",
            class_code="1",
            formed=date(1980, 3, 1),
        )
        corpus.material("wang_resume", "wang", "履历表", material_type="resume", class_code="1")
        corpus.page("zhang_recruit_1", "zhang_recruit", ZHANG_RECRUIT)
        corpus.page("zhang_wage_1", "zhang_wage", ZHANG_WAGE)
        corpus.page("li_worker_1", "li_worker", LI_CERAMIC)
        corpus.page("wang_resume_1", "wang_resume", WANG_APART)
        uow.commit()
        return corpus


def search(services, query, **kwargs) -> SearchResult:
    with services.uow(read_only=True) as uow:
        return search_pages(uow.session, query, **kwargs)


def page_ids(result: SearchResult) -> set[int]:
    return {hit.page_id for hit in result.hits if hit.kind is HitKind.PAGE and hit.page_id}


def material_hits(result: SearchResult) -> set[int]:
    return {hit.material_id for hit in result.hits if hit.kind is HitKind.MATERIAL}


# --- terms of every length ---------------------------------------------------------------


def test_a_one_character_term_finds_the_pages_holding_it_and_no_others(services, corpus):
    result = search(services, "煤")

    assert page_ids(result) == {corpus.pages["zhang_recruit_1"]}


def test_two_character_terms_are_found(services, corpus):
    assert page_ids(search(services, "井下")) == {
        corpus.pages["zhang_recruit_1"],
        corpus.pages["zhang_wage_1"],
    }
    assert page_ids(search(services, "招工")) == {corpus.pages["zhang_recruit_1"]}
    assert page_ids(search(services, "陶瓷")) == {corpus.pages["li_worker_1"]}


def test_two_characters_that_only_occur_apart_are_not_a_match(services, corpus):
    result = search(services, "井下")

    assert corpus.pages["wang_resume_1"] not in page_ids(result)
    assert page_ids(search(services, "井口")) == {corpus.pages["wang_resume_1"]}


def test_three_and_six_character_terms_are_found(services, corpus):
    assert page_ids(search(services, "张三丰")) == {
        corpus.pages["zhang_recruit_1"],
        corpus.pages["zhang_wage_1"],
    }
    assert page_ids(search(services, "第二煤矿井下")) == {corpus.pages["zhang_recruit_1"]}
    assert page_ids(search(services, "成型车间从事")) == {corpus.pages["li_worker_1"]}


def test_absent_terms_find_nothing(services, corpus):
    for query in ("鲸", "井上", "张三峰", "第三煤矿井下"):
        result = search(services, query)
        assert result.hits == () and result.total == 0, query


def test_line_breaks_spaces_width_and_case_do_not_matter(services, corpus):
    with services.uow() as uow:
        extra = Corpus(uow.session, materials=dict(corpus.materials))
        page_id = extra.page("split", "wang_resume", "调动介绍\n信　ＮＯ．１２ Abc", number=2)
        uow.commit()

    assert page_id in page_ids(search(services, "调动介绍信"))
    assert page_id in page_ids(search(services, "no.12"))
    assert page_id in page_ids(search(services, "ＡＢＣ"))


def test_query_syntax_characters_are_plain_text(services, corpus):
    with services.uow() as uow:
        extra = Corpus(uow.session, materials=dict(corpus.materials))
        page_id = extra.page("odd", "wang_resume", '增长50%，"备注"_一', number=2)
        uow.commit()

    assert page_id in page_ids(search(services, "50%"))
    assert page_id in page_ids(search(services, '"备注"'))
    assert page_id in page_ids(search(services, "_一"))
    assert page_ids(search(services, "5%")) == set()
    assert page_ids(search(services, "0_")) == set()
    assert page_ids(search(services, "AND")) == set()


# --- several terms, filters ----------------------------------------------------------------


def test_every_term_must_occur(services, corpus):
    assert page_ids(search(services, "井下 采煤")) == {corpus.pages["zhang_recruit_1"]}
    assert page_ids(search(services, "井下 张三丰")) == {
        corpus.pages["zhang_recruit_1"],
        corpus.pages["zhang_wage_1"],
    }
    assert page_ids(search(services, "井下 陶瓷")) == set()
    assert page_ids(search(services, "煤 第二煤矿井下采煤工 张三丰")) == {
        corpus.pages["zhang_recruit_1"]
    }


def test_filters_narrow_page_and_catalogue_hits(services, corpus):
    everywhere = search(services, "井下")
    assert len(page_ids(everywhere)) == 2

    by_type = search(services, "井下", material_type="wage_change")
    assert page_ids(by_type) == {corpus.pages["zhang_wage_1"]}
    by_class = search(services, "井下", class_code="9-2")
    assert page_ids(by_class) == {corpus.pages["zhang_recruit_1"]}
    by_years = search(services, "井下", year_from=1980, year_to=1990)
    assert page_ids(by_years) == {corpus.pages["zhang_wage_1"]}
    assert page_ids(search(services, "井下", year_to=1978)) == {corpus.pages["zhang_recruit_1"]}
    by_person = search(services, "登记表", person_id=corpus.persons["li"])
    assert page_ids(by_person) == {corpus.pages["li_worker_1"]}
    assert material_hits(by_person) == {corpus.materials["li_worker"]}


def test_the_person_filter_uses_the_same_matching_rules(services, corpus):
    zhang = corpus.persons["zhang"]

    assert page_ids(search(services, "井下", person_id=zhang)) == {
        corpus.pages["zhang_recruit_1"],
        corpus.pages["zhang_wage_1"],
    }
    assert page_ids(search(services, "煤 井下", person_id=zhang)) == {
        corpus.pages["zhang_recruit_1"]
    }
    assert page_ids(search(services, "井下", person_id=corpus.persons["wang"])) == set()


# --- catalogue -------------------------------------------------------------------------------


def test_a_title_finds_the_material_even_when_ocr_missed_it(services, corpus):
    with services.uow() as uow:
        extra = Corpus(uow.session, archives=dict(corpus.archives))
        extra.material("li_recruit", "li", "招工登记表", material_type="recruitment_registration")
        extra.page("blurred", "li_recruit", "姓名：李秀英　（表头模糊，无法识别）")
        unscanned = extra.material("li_contract", "li", "劳动合同", material_type="labour_contract")
        uow.commit()

    result = search(services, "招工登记表")

    assert material_hits(result) == {
        corpus.materials["zhang_recruit"],
        extra.materials["li_recruit"],
    }
    li_hit = next(hit for hit in result.hits if hit.material_id == extra.materials["li_recruit"])
    assert li_hit.page_id == extra.pages["blurred"] and li_hit.page_number == 1
    assert li_hit.snippet == (("招工登记表", True),)
    contract = search(services, "劳动合同")
    assert [(hit.material_id, hit.page_id) for hit in contract.hits] == [(unscanned, None)]


def test_catalogue_terms_may_be_spread_over_title_name_and_number(services, corpus):
    result = search(services, "张三丰 工资变动表")
    assert material_hits(result) == {corpus.materials["zhang_wage"]}

    by_number = search(services, "ff-1960")
    assert material_hits(by_number) == {corpus.materials["li_worker"]}
    assert page_ids(by_number) == set()

    by_name = search(services, "李秀英")
    assert material_hits(by_name) == {corpus.materials["li_worker"]}
    assert page_ids(by_name) == {corpus.pages["li_worker_1"]}


# --- snippets --------------------------------------------------------------------------------


def test_snippets_mark_exactly_the_matches(services, corpus):
    result = search(services, "井下 张三丰")

    for hit in result.hits:
        marked = [text for text, is_match in hit.snippet if is_match]
        assert marked and set(marked) <= {"井下", "张三丰"}
        shown = "".join(text for text, _ in hit.snippet)
        assert normalise(shown.replace("…", "")) in normalise(
            ZHANG_RECRUIT + ZHANG_WAGE + "招工登记表工资变动表"
        )
    recruit = next(hit for hit in result.hits if hit.page_id == corpus.pages["zhang_recruit_1"])
    assert recruit.snippet[:2] == (("招工登记表 姓名:", False), ("张三丰", True))


def test_a_long_page_shows_a_window_around_the_best_match(services, corpus):
    filler = "某某单位工作情况说明。" * 30
    with services.uow() as uow:
        extra = Corpus(uow.session, materials=dict(corpus.materials))
        extra.page("long", "wang_resume", filler + "调入井下掘进队" + filler, number=2)
        uow.commit()

    hit = search(services, "掘进").hits[0]

    assert hit.snippet[0][0].startswith("…") and hit.snippet[-1][0].endswith("…")
    assert ("掘进", True) in hit.snippet
    assert sum(len(text) for text, _ in hit.snippet) <= 84


# --- ranking ---------------------------------------------------------------------------------


def test_ranking_catalogue_hits_then_pages_by_term_frequency_and_catalogue_support(services):
    with services.uow() as uow:
        corpus = Corpus(uow.session)
        corpus.archive("a", "赵六", "R-1")
        corpus.material("special", "a", "特殊工种审批表", material_type="special_job_approval")
        corpus.material("notes", "a", "其他材料")
        corpus.material("other", "a", "其他材料")
        corpus.page("once", "notes", "从事井下工作")
        corpus.page("often", "notes", "井下采煤，井下掘进，井下运输，井下通风")
        corpus.page("twice", "other", "井下采煤，井下掘进")
        corpus.page("titled", "special", "井下作业，特殊工种")
        corpus.page("tie", "other", "从事井下工作")
        uow.commit()

    result = search(services, "特殊工种 井下")
    assert [hit.kind for hit in result.hits] == [HitKind.PAGE]
    ranked = search(services, "井下")
    # More occurrences first; then the shorter page; equal pages by material, then page.
    assert [hit.page_id for hit in ranked.hits] == [
        corpus.pages["often"],
        corpus.pages["twice"],
        corpus.pages["once"],
        corpus.pages["tie"],
        corpus.pages["titled"],
    ]
    scores = [hit.score for hit in ranked.hits]
    assert scores[0] > scores[1] > scores[2] == scores[3] > scores[4]

    # A page holding the term in its text and its title outranks the title alone.
    boosted = search(services, "特殊工种")
    assert [(hit.kind, hit.material_id) for hit in boosted.hits] == [
        (HitKind.PAGE, corpus.materials["special"]),
        (HitKind.MATERIAL, corpus.materials["special"]),
    ]
    exact = search(services, "特殊工种审批表")
    assert exact.hits[0].kind is HitKind.MATERIAL
    assert exact.hits[0].score == 3.0


def test_the_same_query_pages_consistently(services, corpus):
    full = search(services, "表", limit=100)
    pieces = [search(services, "表", limit=2, offset=offset) for offset in range(0, 12, 2)]

    assert [hit for piece in pieces for hit in piece.hits] == list(full.hits)
    assert {piece.total for piece in pieces} == {full.total}


def test_totals_are_capped_and_flagged(services, corpus, monkeypatch):
    monkeypatch.setattr(search_candidates, "CANDIDATE_CAP", 2)

    result = search(services, "表")

    assert result.total_capped
    assert result.total == 2 + 2  # two pages and two catalogue entries, of four each
    # The collected hits are the first ones in page / material id order, on both databases.
    assert page_ids(result) == {corpus.pages["zhang_recruit_1"], corpus.pages["zhang_wage_1"]}
    assert material_hits(result) == {
        corpus.materials["zhang_recruit"],
        corpus.materials["zhang_wage"],
    }
    assert not search(services, "陶瓷").total_capped


# --- index upkeep ----------------------------------------------------------------------------


def test_replacing_a_page_text_replaces_what_is_found(services, corpus):
    page_id = corpus.pages["li_worker_1"]
    with services.uow() as uow:
        Corpus(uow.session).write_text(page_id, "复核后的文本：炼钢车间炉前工")
        uow.commit()

    assert page_ids(search(services, "陶瓷")) == set()
    assert page_ids(search(services, "成型车间从事")) == set()
    assert page_ids(search(services, "炉前")) == {page_id}
    assert page_ids(search(services, "炼钢车间炉前工")) == {page_id}
    assert page_ids(search(services, "钢")) == {page_id}


def test_removed_text_is_no_longer_found_and_indexed_text_cannot_be_deleted_behind_its_back(
    services, corpus
):
    page_id = corpus.pages["li_worker_1"]
    with services.uow() as uow, pytest.raises(IntegrityError):
        uow.session.execute(delete(PageTextRow).where(PageTextRow.page_id == page_id))
        uow.session.flush()

    with services.uow() as uow:
        remove_page_text(uow.session, page_id)
        uow.session.execute(delete(PageTextRow).where(PageTextRow.page_id == page_id))
        uow.commit()

    assert page_ids(search(services, "陶瓷")) == set()
    assert page_ids(search(services, "李秀英")) == set()
    assert page_ids(search(services, "井下")) == {
        corpus.pages["zhang_recruit_1"],
        corpus.pages["zhang_wage_1"],
    }


def test_an_empty_text_takes_the_page_out_and_rebuild_restores_it(services, corpus):
    page_id = corpus.pages["zhang_wage_1"]
    with services.uow() as uow:
        search_index.index_page_text(uow.session, page_id, "  \n ")
        uow.commit()
    assert page_id not in page_ids(search(services, "井下"))

    with services.uow() as uow:
        assert rebuild_search_index(uow.session, batch_size=2) == 4
        uow.commit()

    assert page_id in page_ids(search(services, "井下"))
    assert page_ids(search(services, "四级工")) == {page_id}


def test_search_agrees_with_a_plain_substring_test_on_random_text(services):
    """Every substring query of 1 to 6 characters finds exactly the pages that contain it
    (no false negatives, no false positives), on text from a tiny alphabet where the
    characters of a term occur everywhere but in other orders."""
    rng = random.Random(20261203)
    alphabet = "井下采煤工年月日"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(5, 40))) for _ in range(40)]
    with services.uow() as uow:
        corpus = Corpus(uow.session)
        corpus.archive("p", "孙七")
        corpus.material("m", "p", "随机")
        ids = [corpus.page(f"t{i}", "m", text) for i, text in enumerate(texts)]
        uow.commit()

    queries = {
        text[i : i + n] for text in texts for n in range(1, 7) for i in (0, 3) if text[i:][:n]
    }
    queries |= {
        "".join(rng.choice(alphabet) for _ in range(n)) for n in (2, 3, 4, 6) for _ in range(8)
    }
    for query in sorted(queries):
        expected = {page for page, text in zip(ids, texts, strict=True) if query in text}
        found = page_ids(search(services, query, limit=100))
        assert found == expected, query


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kwargs", "message"),
    [
        ("", {}, "请输入检索词"),
        ("  \u3000 ", {}, "请输入检索词"),
        ("井" * 51, {}, "检索词不能超过50个字"),
        ("井下", {"year_from": 1990, "year_to": 1980}, "起始年份不能晚于截止年份"),
        ("井下", {"year_from": 99}, "形成年份应在1800到2200之间"),
        ("井下", {"limit": 0}, "每页条数应在1到100之间"),
        ("井下", {"offset": -1}, "起始位置不能为负数"),
    ],
)
def test_bad_queries_are_refused_in_chinese(services, corpus, query, kwargs, message):
    with pytest.raises(InvalidInputError) as refused:
        search(services, query, **kwargs)

    assert refused.value.message == message


def test_fifty_characters_are_allowed(services, corpus):
    assert search(services, "井" * 50).total == 0


def test_the_postgres_planner_settings_are_restored(services, corpus):
    with services.uow(read_only=True) as uow:
        search_pages(uow.session, "井下")
        if uow.session.get_bind().dialect.name == "postgresql":
            assert uow.session.execute(text("SHOW enable_seqscan")).scalar() == "on"


# --- the PostgreSQL time limit -----------------------------------------------------------

on_postgres_only = pytest.mark.skipif(
    not is_postgres(configured_url() or "sqlite://"),
    reason="the time limit bounds pg_trgm rechecks; SQLite's positional index needs none",
)


@on_postgres_only
def test_a_page_search_past_its_time_limit_stops_and_says_so(services, corpus):
    # Another session holds the index table: the page statements wait, the limit cancels
    # them. The catalogue still answers, and the transaction stays usable.
    with services.engine.connect() as blocker:
        blocker.execute(text("LOCK TABLE page_search_documents IN ACCESS EXCLUSIVE MODE"))
        with services.uow(read_only=True) as uow:
            # Were the limit not applied, the lock wait would end here in an error, not hang.
            uow.session.execute(text("SET LOCAL lock_timeout = '10s'"))
            result = search_pages(uow.session, "招工登记表", time_limit_ms=200)
            timeout_after = uow.session.execute(text("SHOW statement_timeout")).scalar()
            seqscan_after = uow.session.execute(text("SHOW enable_seqscan")).scalar()
        blocker.rollback()

    assert result.timed_out
    assert page_ids(result) == set()
    assert material_hits(result) == {corpus.materials["zhang_recruit"]}
    assert timeout_after == "0" and seqscan_after == "on"


@on_postgres_only
def test_a_search_within_its_time_limit_finds_pages_and_restores_the_limit(services, corpus):
    with services.uow(read_only=True) as uow:
        uow.session.execute(text("SET LOCAL statement_timeout = '45s'"))
        result = search_pages(uow.session, "井下", time_limit_ms=5000)
        assert uow.session.execute(text("SHOW statement_timeout")).scalar() == "45s"
    assert not result.timed_out
    assert page_ids(result) == {corpus.pages["zhang_recruit_1"], corpus.pages["zhang_wage_1"]}
