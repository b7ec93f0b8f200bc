"""Fixtures for the archive repository: a registered person with an archive and a catalogue."""

from dataclasses import dataclass
from datetime import date

import pytest

from retirelink.archives.cataloguing import MaterialEntry, catalogue_material, open_archive
from retirelink.archives.holdings import Archive, DatePrecision, FuzzyDate, Material
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.archives.services import add_person
from retirelink.bootstrap import Services
from retirelink.security.model import SYSTEM_ACTOR
from tests.support.builders import actor_for, make_person


@dataclass(frozen=True)
class CataloguedArchive:
    archive: Archive
    materials: dict[MaterialType, Material]


def catalogue_archive(services: Services, *, number: str = "FF-2026-0001") -> CataloguedArchive:
    archivist = actor_for(services, "archivist")
    with services.uow() as uow:
        person = make_person(name="张三丰")
        if uow.persons.get_by_id_number(person.id_number) is None:
            add_person(uow, person, actor=SYSTEM_ACTOR, purpose="测试登记")
        archive = open_archive(
            uow,
            actor=archivist,
            id_number=person.id_number,
            archive_number=number,
            kind=ArchiveKind.ENTERPRISE_WORKER,
            custodian="峰峰矿区社保中心档案室",
            location="A-01-03",
        )
        assert archive.id is not None
        materials = {}
        for material_type, class_code, pages, formed in (
            (MaterialType.RECRUITMENT_REGISTRATION, "9-2", 2, date(1983, 7, 1)),
            (MaterialType.REGULARISATION_GRADING, "9-1", 1, date(1984, 7, 1)),
            (MaterialType.AUTOBIOGRAPHY, "2", 1, date(1985, 1, 1)),
        ):
            materials[material_type] = catalogue_material(
                uow,
                actor=archivist,
                archive_id=archive.id,
                entry=MaterialEntry(
                    class_code=class_code,
                    material_type=material_type,
                    title=material_type.label,
                    formation_date=FuzzyDate(formed, DatePrecision.MONTH),
                    pages=pages,
                ),
            )
        uow.commit()
    return CataloguedArchive(archive, materials)


@pytest.fixture
def catalogued(seeded: Services) -> CataloguedArchive:
    return catalogue_archive(seeded)
