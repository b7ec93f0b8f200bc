"""The 全文检索 page over HTTP: highlighted hits, and on PostgreSQL the notice shown when
the page-text search ran past its time limit (docs/archives.md "Search")."""

from datetime import date

import pytest
from sqlalchemy import text

from tests.e2e.helpers import logged_in
from tests.support.databases import configured_url, is_postgres
from tests.support.search_corpus import Corpus

pytestmark = pytest.mark.e2e

TIMED_OUT = "页面全文检索用时超过限度"


@pytest.fixture
def corpus(seeded):
    with seeded.uow() as uow:
        corpus = Corpus(uow.session)
        corpus.archive("zhang", "张三丰", "FF-1958-0001")
        corpus.material(
            "recruit",
            "zhang",
            "招工登记表",
            material_type="recruitment_registration",
            class_code="9-2",
            formed=date(1978, 5, 1),
        )
        corpus.page("recruit_1", "recruit", "招工登记表\n1978年5月招收为峰峰矿务局井下采煤工")
        uow.commit()
        return corpus


def test_the_page_marks_the_matches_and_counts_the_hits(client, corpus):
    logged_in(client, "clerk")

    page = client.get("/archives/search", params={"q": "井下"})

    assert page.status_code == 200
    assert "<mark>井下</mark>" in page.text
    assert f'href="/archives/pages/{corpus.pages["recruit_1"]}"' in page.text
    assert "共 1 条" in page.text
    assert '<span class="tag">页面全文</span>' in page.text
    assert TIMED_OUT not in page.text


@pytest.mark.skipif(
    not is_postgres(configured_url() or "sqlite://"),
    reason="the time limit bounds pg_trgm rechecks on PostgreSQL only",
)
def test_a_search_past_the_time_limit_says_its_page_results_may_be_incomplete(
    client, seeded, corpus
):
    logged_in(client, "clerk")
    # Another session holds the index table, so the page statements wait past the limit.
    with seeded.engine.connect() as blocker:
        blocker.execute(text("LOCK TABLE page_search_documents IN ACCESS EXCLUSIVE MODE"))
        page = client.get("/archives/search", params={"q": "招工登记表"})
        blocker.rollback()

    assert page.status_code == 200
    assert TIMED_OUT in page.text
    # The catalogue still answers (a material hit opens its first page); no page-text hit.
    assert '<span class="tag">目录</span>' in page.text
    assert '<span class="tag">页面全文</span>' not in page.text
    assert f'href="/archives/pages/{corpus.pages["recruit_1"]}"' in page.text
