"""The demo district's archives on disk and in the repository.

:func:`write_demo_archives` writes one folder per archive, named by its archive number, as a
scanning bureau delivers them: ``catalogue.csv`` (the 目录, cataloguing.CATALOGUE_HEADERS,
material types in 中文) and the scans named ``<类号>_<材料序号>[_<页号>].<扩展名>`` — the
layout ``retirelink archives ingest DIR`` reads. Beside the folders: ``archives.json``
(archive number -> ID number, kind, custodian, location) and ``planted.json`` (every planted
defect, so tests and benchmarks can check what QC and review find). Pages are rendered in
worker processes.

:func:`open_demo_archives` opens the archives of persons ``demo load`` registered and
catalogues them from their ``catalogue.csv`` through the cataloguing services, one
transaction per archive; archives already open are skipped, so it can run again. It takes
the ingest of each new folder as a parameter, since scan ingest is wired in by the caller.
"""

import csv
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path

from retirelink.archives.cataloguing import (
    CATALOGUE_HEADERS,
    MaterialEntry,
    catalogue_material,
    open_archive,
    parse_catalogue_rows,
)
from retirelink.archives.holdings import Archive
from retirelink.archives.material_classes import ArchiveKind
from retirelink.bootstrap import Services
from retirelink.demo.archive_model import DEFAULT_RATES, DemoArchive, PlantingRates
from retirelink.demo.archive_pages import cjk_font, write_archive_files
from retirelink.demo.archives import plan_archives
from retirelink.demo.model import DemoDistrict
from retirelink.errors import InvalidInputError
from retirelink.security.model import SYSTEM_ACTOR, Actor

CATALOGUE_FILE = "catalogue.csv"
REGISTER_FILE = "archives.json"
PLANTED_FILE = "planted.json"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ArchivesWritten:
    directory: Path
    archives: int
    materials: int
    files: int
    pages: int
    bytes: int
    seconds: float
    planted: Mapping[str, int]

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def bytes_per_page(self) -> float:
        return self.bytes / self.pages if self.pages else 0.0


def write_demo_archives(
    district: DemoDistrict,
    directory: Path,
    *,
    persons: int | None = None,
    seed: int | None = None,
    rates: PlantingRates = DEFAULT_RATES,
    workers: int = 2,
    pages: bool = True,
    progress: Progress | None = None,
) -> ArchivesWritten:
    """Write the archives of the district's first ``persons`` persons (all when None) under
    ``directory``; ``seed`` (default: the district's) draws materials and defects. With
    ``pages=False`` only the catalogues and ``archives.json``/``planted.json`` are written
    (the paper catalogued, not yet scanned)."""
    if pages:
        cjk_font()  # no font: fail here, once, with the reason, not in every worker
    started = time.perf_counter()
    archives = plan_archives(district, persons=persons, seed=seed, rates=rates)
    directory.mkdir(parents=True, exist_ok=True)
    for archive in archives:
        _write_catalogue(archive, _fresh_folder(directory / archive.archive_number))
    size = 0
    if pages:
        for _, archive_bytes in _render_all(archives, directory, district.as_of, workers=workers):
            size += archive_bytes
            if progress is not None:
                progress(1)
    scanned = sum(archive.pages for archive in archives)
    _write_json(directory / REGISTER_FILE, {a.archive_number: a.register_entry() for a in archives})
    counts = Counter(defect.defect.value for a in archives for defect in a.planted)
    _write_json(
        directory / PLANTED_FILE,
        {
            "seed": district.seed if seed is None else seed,
            "as_of": district.as_of.isoformat(),
            "archives": len(archives),
            "materials": sum(len(a.materials) for a in archives),
            "pages": scanned,
            "rates": rates.to_dict(),
            "counts": dict(sorted(counts.items())),
            "defects": [defect.to_dict() for a in archives for defect in a.planted],
        },
    )
    return ArchivesWritten(
        directory=directory,
        archives=len(archives),
        materials=sum(len(a.materials) for a in archives),
        files=sum(len(m.files) for a in archives for m in a.materials),
        pages=scanned,
        bytes=size,
        seconds=time.perf_counter() - started,
        planted=dict(sorted(counts.items())),
    )


def _fresh_folder(folder: Path) -> Path:
    """The archive's folder, emptied of files an earlier run left there."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.is_file():
            path.unlink()
    return folder


def _write_catalogue(archive: DemoArchive, folder: Path) -> None:
    # UTF-8 with BOM so Excel on a clerk's PC opens the Chinese headers correctly.
    with (folder / CATALOGUE_FILE).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CATALOGUE_HEADERS)
        writer.writerows(material.catalogue_row() for material in archive.materials)


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _render_all(
    archives: Sequence[DemoArchive], directory: Path, scanned_on: date, *, workers: int
) -> Iterator[tuple[int, int]]:
    """(pages, bytes) per archive, in order; rendered in ``workers`` processes."""
    jobs = [(archive, directory / archive.archive_number, scanned_on) for archive in archives]
    if workers <= 1 or len(jobs) < 2:
        yield from (_render_one(job) for job in jobs)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(_render_one, jobs)


def _render_one(job: tuple[DemoArchive, Path, date]) -> tuple[int, int]:
    archive, folder, scanned_on = job
    return write_archive_files(archive, folder, scanned_on=scanned_on)


# opening in the repository ------------------------------------------------------------------

IngestFolder = Callable[[Services, Archive, Path], object]


@dataclass(frozen=True)
class ArchivesOpened:
    opened: int
    materials: int
    already_open: int
    not_registered: int


def read_register(directory: Path) -> dict[str, dict[str, str]]:
    """``archives.json`` of a folder written by :func:`write_demo_archives`."""
    path = directory / REGISTER_FILE
    if not path.is_file():
        raise InvalidInputError(
            f"{directory} 中没有 {REGISTER_FILE}，请先运行 retirelink demo archives", field="out"
        )
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path} 格式错误", field="out")
    return {str(number): {k: str(v) for k, v in entry.items()} for number, entry in data.items()}


def read_catalogue(folder: Path) -> list[MaterialEntry]:
    with (folder / CATALOGUE_FILE).open(encoding="utf-8-sig", newline="") as handle:
        return parse_catalogue_rows(list(csv.reader(handle)))


def open_demo_archives(
    services: Services,
    directory: Path,
    *,
    actor: Actor = SYSTEM_ACTOR,
    ingest: IngestFolder | None = None,
    progress: Progress | None = None,
) -> ArchivesOpened:
    """Open and catalogue the written archives of registered persons, one commit each;
    ``ingest`` (if given) is then called with each newly opened archive and its folder."""
    opened = materials = already = unregistered = 0
    for number, entry in sorted(read_register(directory).items()):
        folder = directory / number
        outcome = _open_one(services, actor, number, entry, folder)
        if isinstance(outcome, tuple):
            archive, catalogued = outcome
            opened += 1
            materials += catalogued
            if ingest is not None:
                ingest(services, archive, folder)
        elif outcome == "open":
            already += 1
        else:
            unregistered += 1
        if progress is not None:
            progress(1)
    return ArchivesOpened(opened, materials, already, unregistered)


def _open_one(
    services: Services, actor: Actor, number: str, entry: Mapping[str, str], folder: Path
) -> tuple[Archive, int] | str:
    """The newly opened archive and its material count, or why not: "open" (already there)
    or "unregistered" (``demo load`` did not register the person)."""
    with services.uow() as uow:
        if uow.archives.get_by_number(number) is not None:
            return "open"
        person = uow.persons.get_by_id_number(entry["id_number"])
        if person is None or person.id is None:
            return "unregistered"
        if uow.archives.get_by_person(person.id) is not None:
            return "open"
        catalogue = read_catalogue(folder)
        archive = open_archive(
            uow,
            actor=actor,
            id_number=entry["id_number"],
            archive_number=number,
            kind=ArchiveKind(entry["kind"]),
            custodian=entry["custodian"],
            location=entry["location"],
        )
        assert archive.id is not None
        for item in catalogue:
            catalogue_material(uow, actor=actor, archive_id=archive.id, entry=item)
        uow.commit()
        return archive, len(catalogue)
