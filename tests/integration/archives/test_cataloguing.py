"""Opening archives and cataloguing materials: validation, duplicates, ledger."""

import pytest

from retirelink.archives.cataloguing import (
    MaterialEntry,
    catalogue_material,
    open_archive,
    parse_catalogue_date,
    parse_catalogue_rows,
)
from retirelink.archives.holdings import DatePrecision
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.bootstrap import Services
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.ledger.model import LedgerAction
from tests.integration.archives.conftest import CataloguedArchive
from tests.support.builders import actor_for, make_id_number, make_person


def test_catalogue_lists_materials_in_class_order_with_sequences(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    with seeded.uow() as uow:
        assert catalogued.archive.id is not None
        listed = uow.materials.for_archive(catalogued.archive.id)
    assert [(m.class_code, m.sequence) for m in listed] == [("2", 1), ("9-1", 1), ("9-2", 1)]
    recruitment = catalogued.materials[MaterialType.RECRUITMENT_REGISTRATION]
    assert recruitment.formation_date is not None
    assert recruitment.formation_date.precision is DatePrecision.MONTH


def test_next_sequence_in_a_class_is_taken_when_none_is_given(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    archivist = actor_for(seeded, "archivist")
    assert catalogued.archive.id is not None
    with seeded.uow() as uow:
        second = catalogue_material(
            uow,
            actor=archivist,
            archive_id=catalogued.archive.id,
            entry=MaterialEntry("9-2", MaterialType.LABOUR_CONTRACT, "劳动合同", None, 3),
        )
    assert second.sequence == 2


def test_taken_sequence_is_a_conflict(seeded: Services, catalogued: CataloguedArchive) -> None:
    archivist = actor_for(seeded, "archivist")
    assert catalogued.archive.id is not None
    with seeded.uow() as uow, pytest.raises(ConflictError, match="已在目录中"):
        catalogue_material(
            uow,
            actor=archivist,
            archive_id=catalogued.archive.id,
            entry=MaterialEntry("9-2", MaterialType.LABOUR_CONTRACT, "劳动合同", None, 3, 1),
        )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (MaterialEntry("11", MaterialType.OTHER, "其他", None, 1), "类号"),
        (MaterialEntry("9-5", MaterialType.OTHER, "其他", None, 1), "类号"),
        (MaterialEntry("9-2", MaterialType.OTHER, "  ", None, 1), "材料名称不能为空"),
        (MaterialEntry("9-2", MaterialType.OTHER, "其他", None, 0), "页数"),
    ],
)
def test_bad_catalogue_entries_are_refused_in_chinese(
    seeded: Services, catalogued: CataloguedArchive, entry: MaterialEntry, message: str
) -> None:
    archivist = actor_for(seeded, "archivist")
    assert catalogued.archive.id is not None
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match=message):
        catalogue_material(uow, actor=archivist, archive_id=catalogued.archive.id, entry=entry)


def test_one_archive_per_person_and_unique_numbers(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    archivist = actor_for(seeded, "archivist")
    person = make_person(name="张三丰")
    with seeded.uow() as uow, pytest.raises(ConflictError, match="已有档案"):
        open_archive(
            uow,
            actor=archivist,
            id_number=person.id_number,
            archive_number="FF-2026-0002",
            kind=ArchiveKind.CADRE,
            custodian="档案室",
            location="",
        )


def test_unknown_person_and_bad_number_change_nothing(seeded: Services) -> None:
    archivist = actor_for(seeded, "archivist")
    with seeded.uow() as uow:
        with pytest.raises(NotFoundError, match="未登记该参保人"):
            open_archive(
                uow,
                actor=archivist,
                id_number=make_id_number(sequence="999"),
                archive_number="FF-1",
                kind=ArchiveKind.CADRE,
                custodian="档案室",
                location="",
            )
        assert uow.archives.get_by_number("FF-1") is None


def test_clerk_cannot_catalogue(seeded: Services, catalogued: CataloguedArchive) -> None:
    clerk = actor_for(seeded, "clerk")
    assert catalogued.archive.id is not None
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError):
        catalogue_material(
            uow,
            actor=clerk,
            archive_id=catalogued.archive.id,
            entry=MaterialEntry("10", MaterialType.OTHER, "其他", None, 1),
        )


def test_archive_creation_and_cataloguing_are_ledgered(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    with seeded.uow() as uow:
        actions = [entry.action for entry in uow.ledger.store.iter_entries()]
    assert LedgerAction.ARCHIVE_CREATE.value in actions
    assert actions.count(LedgerAction.ARCHIVE_MATERIAL_CATALOGUED.value) == 3


@pytest.mark.parametrize(
    ("text", "shown"),
    [("1965-03-15", "1965年3月15日"), ("1965.3", "1965年3月"), ("1965", "1965年"), ("", None)],
)
def test_catalogue_dates(text: str, shown: str | None) -> None:
    parsed = parse_catalogue_date(text)
    assert (str(parsed) if parsed else None) == shown


@pytest.mark.parametrize("text", ["1965-02-30", "1965-13", "六五年", "1965/3/x"])
def test_impossible_catalogue_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="形成时间"):
        parse_catalogue_date(text)


def test_catalogue_sheet_rows_are_checked_with_row_numbers() -> None:
    header = ["类号", "序号", "材料名称", "材料类型", "形成时间", "页数"]
    entries = parse_catalogue_rows(
        [header, ["9-2", "1", "招工登记表", "招工登记表", "1983-07", "2"], ["", "", "", "", "", ""]]
    )
    assert entries[0].material_type is MaterialType.RECRUITMENT_REGISTRATION
    with pytest.raises(InvalidInputError, match="目录第3行：未知的材料类型"):
        parse_catalogue_rows(
            [
                header,
                ["9-2", "1", "招工登记表", "招工登记表", "1983-07", "2"],
                ["9-2", "2", "某表", "某表", "1983-07", "2"],
            ]
        )
    with pytest.raises(InvalidInputError, match="表头"):
        parse_catalogue_rows([["a", "b"]])
