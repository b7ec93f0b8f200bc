"""Person search on the real database: prefix ranges, ordering, pagination, odd input."""

import pytest

from tests.support.builders import make_id_number, make_person

pytestmark = pytest.mark.integration


def add_people(services, people):
    with services.uow() as uow:
        for index, (name, birth) in enumerate(people):
            uow.persons.add(
                make_person(name=name, id_number=make_id_number(birth, sequence=f"{index:03d}"))
            )
        uow.commit()


def search(services, **kwargs):
    defaults = {"name_prefix": None, "id_prefix": None, "offset": 0, "limit": 20}
    with services.uow() as uow:
        return uow.persons.search(**{**defaults, **kwargs})


def test_a_two_character_name_finds_exact_and_longer_names_in_order(services):
    add_people(
        services,
        [
            ("张伟", "19650312"),
            ("张伟明", "19700101"),
            ("张三", "19800101"),
            ("李伟", "19600101"),
            ("张", "19590101"),
        ],
    )

    items, total = search(services, name_prefix="张伟")

    assert total == 2
    assert [item.name for item in items] == ["张伟", "张伟明"]


def test_a_surname_finds_everyone_with_it_and_nobody_else(services):
    add_people(services, [("张伟", "19650312"), ("张三", "19800101"), ("章三", "19600101")])

    items, total = search(services, name_prefix="张")

    assert total == 2
    assert {item.name for item in items} == {"张伟", "张三"}


def test_id_prefix_matches_only_ids_starting_with_it(services):
    add_people(services, [("王芳", "19650312"), ("王芳", "19750312")])

    items, total = search(services, id_prefix="1304061975")

    assert total == 1
    assert items[0].birth_date.year == 1975


def test_pagination_returns_disjoint_pages_and_the_full_total(services):
    add_people(services, [("刘洋", f"1960{month:02d}01") for month in range(1, 13)])

    first, total = search(services, name_prefix="刘洋", limit=5)
    second, _ = search(services, name_prefix="刘洋", offset=5, limit=5)
    third, _ = search(services, name_prefix="刘洋", offset=10, limit=5)

    assert total == 12
    ids = [p.id for p in first + second + third]
    assert len(ids) == len(set(ids)) == 12


def test_a_name_with_a_rare_extension_b_character_round_trips(services):
    add_people(services, [("𠮷野", "19650312")])

    items, total = search(services, name_prefix="𠮷")

    assert total == 1
    assert items[0].name == "𠮷野"
