"""Person use cases over the fake unit of work: register, view and search, all ledgered."""

from datetime import date

import pytest

from retirelink.archives.services import register_person, search_persons, view_person
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.rules.identifiers import Sex
from retirelink.security.model import Role
from tests.fakes import FakeUnitOfWork, make_actor
from tests.support.builders import make_id_number, make_person

CLERK = make_actor(Role.CLERK, username="clerk")
REVIEWER = make_actor(Role.REVIEWER, username="reviewer")
MALE_ID = make_id_number()  # 130406 19650312 123: odd sequence digit
FEMALE_ID = make_id_number(birth="19700101", sequence="124")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def writes(uow: FakeUnitOfWork) -> tuple[int, int, int]:
    """What a refused call must leave unchanged: persons, ledger entries, commits."""
    return len(uow.persons.rows), len(uow.ledger_store.entries), uow.commits


def register(uow: FakeUnitOfWork, **overrides: str) -> None:
    values = {"id_number": MALE_ID, "name": "张伟"} | overrides
    register_person(uow, actor=CLERK, **values)


def seed(uow: FakeUnitOfWork, *people: tuple[str, str]) -> None:
    for name, id_number in people:
        uow.persons.add(make_person(name=name, id_number=id_number))


# -- register --------------------------------------------------------------------------------


def test_registering_derives_sex_and_birth_date_from_the_id_number(uow: FakeUnitOfWork) -> None:
    person = register_person(uow, actor=CLERK, id_number=FEMALE_ID, name=" 李娜 ")
    assert (person.sex, person.birth_date) == (Sex.FEMALE, date(1970, 1, 1))
    assert (person.name, person.hukou_region, person.ethnicity) == ("李娜", "130406", "01")
    assert uow.persons.get_by_id_number(FEMALE_ID) == person


def test_registering_a_15_digit_id_stores_the_upgraded_18_character_number(
    uow: FakeUnitOfWork,
) -> None:
    person = register_person(uow, actor=CLERK, id_number="130406650312123", name="张伟")
    assert person.id_number == MALE_ID
    assert len(person.id_number) == 18
    assert (person.sex, person.birth_date) == (Sex.MALE, date(1965, 3, 12))


def test_registering_records_one_person_create_entry_and_commits_once(
    uow: FakeUnitOfWork,
) -> None:
    register(uow, phone="13812345678")
    [entry] = uow.ledger_store.entries
    assert (entry.action, entry.purpose, entry.actor_name) == ("person.create", "参保登记", "clerk")
    assert entry.subject_key == uow.ledger.subject("person", MALE_ID).key
    assert MALE_ID not in entry.subject_key
    assert (entry.before_digest, len(entry.after_digest)) == ("", 64)
    assert uow.commits == 1


def test_registering_a_duplicate_id_number_is_a_conflict_and_writes_nothing(
    uow: FakeUnitOfWork,
) -> None:
    register(uow)
    before = writes(uow)
    with pytest.raises(ConflictError) as excinfo:
        register(uow, id_number="130406650312123", name="张卫")  # same person, old 15 digits
    assert excinfo.value.field == "id_number"
    assert writes(uow) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": MALE_ID[:-1] + "0"}, "id_number"),
        ({"id_number": "13040619650312"}, "id_number"),
        ({"name": "Zhang Wei"}, "name"),
        ({"name": ""}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"ethnicity": "57"}, "ethnicity"),
        ({"ethnicity": "汉族"}, "ethnicity"),
    ],
    ids=["check-digit", "short-id", "latin-name", "empty-name", "phone", "code-57", "not-code"],
)
def test_invalid_input_is_refused_on_its_field_and_nothing_is_written(
    uow: FakeUnitOfWork, overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        register(uow, **overrides)
    assert excinfo.value.field == field
    assert writes(uow) == (0, 0, 0)


def test_a_reviewer_may_not_register_and_nothing_is_written(uow: FakeUnitOfWork) -> None:
    with pytest.raises(PermissionDeniedError):
        register_person(uow, actor=REVIEWER, id_number=MALE_ID, name="张伟")
    assert writes(uow) == (0, 0, 0)


def test_permission_is_checked_before_the_input_is_validated(uow: FakeUnitOfWork) -> None:
    with pytest.raises(PermissionDeniedError):
        register_person(uow, actor=REVIEWER, id_number="not-an-id", name="")


# -- view ------------------------------------------------------------------------------------


def test_viewing_records_the_purpose_under_the_subject_used_at_creation(
    uow: FakeUnitOfWork,
) -> None:
    person = register_person(uow, actor=CLERK, id_number=MALE_ID, name="张伟")
    assert person.id is not None
    seen = view_person(uow, actor=REVIEWER, person_id=person.id, purpose="待遇核定复核")
    assert seen == person
    created, read = uow.ledger_store.entries
    assert (read.action, read.purpose, read.actor_name) == (
        "person.read",
        "待遇核定复核",
        "reviewer",
    )
    assert (read.subject_type, read.subject_key) == ("person", created.subject_key)
    assert uow.commits == 2


def test_viewing_without_a_purpose_is_refused_and_not_ledgered(uow: FakeUnitOfWork) -> None:
    person = register_person(uow, actor=CLERK, id_number=MALE_ID, name="张伟")
    assert person.id is not None
    with pytest.raises(InvalidInputError) as excinfo:
        view_person(uow, actor=REVIEWER, person_id=person.id, purpose="  ")
    assert excinfo.value.field == "purpose"
    assert uow.ledger_store.actions() == ["person.create"]


def test_viewing_a_missing_person_is_not_found_and_not_ledgered(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NotFoundError):
        view_person(uow, actor=REVIEWER, person_id=404, purpose="待遇核定")
    assert (uow.ledger_store.entries, uow.commits) == ([], 0)


def test_the_system_administrator_may_not_view_a_person(uow: FakeUnitOfWork) -> None:
    seed(uow, ("张伟", MALE_ID))
    with pytest.raises(PermissionDeniedError):
        view_person(uow, actor=make_actor(Role.SYS_ADMIN), person_id=1, purpose="维护")
    assert uow.ledger_store.entries == []


# -- search ----------------------------------------------------------------------------------

PEOPLE = (("张伟", MALE_ID), ("张敏", FEMALE_ID), ("李强", make_id_number(region="110105")))


def test_a_chinese_query_searches_by_name_prefix(uow: FakeUnitOfWork) -> None:
    seed(uow, *PEOPLE)
    page = search_persons(uow, actor=CLERK, query="张")
    assert sorted(p.name for p in page.items) == sorted(["张伟", "张敏"])
    assert page.total == 2


def test_a_digit_query_searches_by_id_number_prefix(uow: FakeUnitOfWork) -> None:
    seed(uow, *PEOPLE)
    page = search_persons(uow, actor=CLERK, query="110105")
    assert [p.name for p in page.items] == ["李强"]


def test_a_lower_case_x_query_finds_the_upper_case_id(uow: FakeUnitOfWork) -> None:
    id_with_x = "11010519491231002X"  # GB 11643-1999 worked example
    seed(uow, ("王芳", id_with_x))
    page = search_persons(uow, actor=CLERK, query=id_with_x.lower())
    assert [p.id_number for p in page.items] == [id_with_x]


def test_the_same_search_in_either_case_has_one_pseudonym(uow: FakeUnitOfWork) -> None:
    id_with_x = "11010519491231002X"
    search_persons(uow, actor=CLERK, query=id_with_x.lower())
    search_persons(uow, actor=CLERK, query=f" {id_with_x} ")
    first, second = uow.ledger_store.entries
    assert first.subject_key == second.subject_key


@pytest.mark.parametrize("query", ["' OR 1=1 --", "张三'; DROP TABLE persons;", ""])
def test_a_query_that_is_neither_name_nor_id_is_refused_and_not_ledgered(
    uow: FakeUnitOfWork, query: str
) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        search_persons(uow, actor=CLERK, query=query)
    assert excinfo.value.field == "q"
    assert (uow.ledger_store.entries, uow.commits) == ([], 0)


@pytest.mark.parametrize(("page", "page_size"), [(1, 101), (1, 0), (0, 20)])
def test_an_out_of_range_page_is_refused(uow: FakeUnitOfWork, page: int, page_size: int) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        search_persons(uow, actor=CLERK, query="张", page=page, page_size=page_size)
    assert excinfo.value.field == "page"
    assert uow.ledger_store.entries == []


def test_a_page_of_100_is_the_largest_allowed(uow: FakeUnitOfWork) -> None:
    seed(uow, *PEOPLE)
    assert search_persons(uow, actor=CLERK, query="张", page_size=100).page_size == 100


def test_the_second_page_holds_what_the_first_left_out(uow: FakeUnitOfWork) -> None:
    seed(uow, *PEOPLE)
    first, second = (
        search_persons(uow, actor=CLERK, query="张", page=n, page_size=1) for n in (1, 2)
    )
    assert (first.total, first.pages, len(first.items), len(second.items)) == (2, 2, 1, 1)
    assert {first.items[0].name, second.items[0].name} == {"张伟", "张敏"}


@pytest.mark.parametrize("query", ["张伟", "13040619650312"])
def test_a_search_records_one_entry_whose_subject_hides_the_query(
    uow: FakeUnitOfWork, query: str
) -> None:
    seed(uow, *PEOPLE)
    search_persons(uow, actor=CLERK, query=query)
    [entry] = uow.ledger_store.entries
    assert (entry.action, entry.subject_type) == ("person.search", "query")
    assert query not in entry.subject_key
    assert query not in entry.purpose
    assert "命中1人" in entry.purpose
    assert uow.commits == 1
