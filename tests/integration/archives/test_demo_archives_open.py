"""The demo district's archives opened and catalogued through the real services (SQLite and
PostgreSQL): one transaction per archive, persons not loaded skipped, a second run a no-op."""

from pathlib import Path

import pytest

from retirelink.archives.holdings import Archive
from retirelink.bootstrap import Services
from retirelink.demo.archive_folders import (
    open_demo_archives,
    read_catalogue,
    read_register,
    write_demo_archives,
)
from retirelink.demo.generator import generate_district
from retirelink.demo.loader import load_demo
from retirelink.errors import InvalidInputError

pytestmark = pytest.mark.integration

SEED = 31
LOADED = 5
WRITTEN = 7  # two more than demo load registered


@pytest.fixture
def folders(services: Services, tmp_path: Path) -> Path:
    load_demo(services, seed=SEED, persons=LOADED)
    district = generate_district(seed=SEED, persons=WRITTEN, as_of=services.clock.today())
    write_demo_archives(district, tmp_path, pages=False)
    return tmp_path


def test_archives_of_loaded_persons_are_opened_and_catalogued(
    services: Services, folders: Path
) -> None:
    ingested: list[tuple[str, Path]] = []

    def ingest(_services: Services, archive: Archive, folder: Path) -> None:
        ingested.append((archive.archive_number, folder))

    summary = open_demo_archives(services, folders, ingest=ingest)

    register = read_register(folders)
    numbers = sorted(register)[:LOADED]
    assert (summary.opened, summary.already_open, summary.not_registered) == (LOADED, 0, 2)
    assert ingested == [(number, folders / number) for number in numbers]
    expected_materials = 0
    with services.uow() as uow:
        for number in numbers:
            archive = uow.archives.get_by_number(number)
            assert archive is not None and archive.id is not None
            entry = register[number]
            person = uow.persons.get_by_id_number(entry["id_number"])
            assert person is not None and archive.person_id == person.id
            assert (archive.kind.value, archive.custodian, archive.location) == (
                entry["kind"],
                entry["custodian"],
                entry["location"],
            )
            catalogue = read_catalogue(folders / number)
            stored = uow.materials.for_archive(archive.id)
            assert sorted(
                (m.class_code, m.sequence, m.material_type, m.formation_date, m.catalogued_pages)
                for m in stored
            ) == sorted(
                (e.class_code, e.sequence, e.material_type, e.formation_date, e.pages)
                for e in catalogue
            )
            expected_materials += len(catalogue)
        assert uow.archives.get_by_number(sorted(register)[-1]) is None
    assert summary.materials == expected_materials


def test_a_second_run_skips_what_is_open(services: Services, folders: Path) -> None:
    open_demo_archives(services, folders)
    calls: list[str] = []

    again = open_demo_archives(
        services, folders, ingest=lambda _s, archive, _f: calls.append(archive.archive_number)
    )

    assert (again.opened, again.materials, again.already_open, again.not_registered) == (
        0,
        0,
        LOADED,
        2,
    )
    assert calls == []


def test_a_folder_without_a_register_is_refused_in_chinese(
    services: Services, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError, match=r"没有 archives\.json"):
        open_demo_archives(services, tmp_path)
