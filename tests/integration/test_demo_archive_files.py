"""Demo archive folders on disk: names ingest accepts, catalogues that parse, page images with
the recorded resolution and colour mode, a planted-defect manifest that matches, rotation
that is real, and the same bytes from the same seed."""

import csv
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import cast

import numpy as np
import pytest
from PIL import Image, ImageChops, PdfParser

from retirelink.archives.cataloguing import CATALOGUE_HEADERS, parse_catalogue_rows
from retirelink.archives.holdings import ColourMode, FuzzyDate, ImageFormat, Material
from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.demo.archive_folders import (
    ArchivesWritten,
    read_catalogue,
    read_register,
    write_demo_archives,
)
from retirelink.demo.archive_model import DemoArchive, PlantingRates, ScanPage
from retirelink.demo.archive_pages import FontMissingError, cjk_font, render_page
from retirelink.demo.archives import plan_archives
from retirelink.demo.generator import DemoDistrict, generate_district

pytestmark = pytest.mark.integration

AS_OF = date(2026, 11, 23)
SEED = 77
PERSONS = 2
# Planted far more often than in a real district, so two persons show every defect kind.
RATES = PlantingRates(
    skewed=0.2,
    low_resolution=0.15,
    wrong_colour_mode=0.25,
    blank_page=0.2,
    page_count_mismatch=0.3,
    altered_birth_date=1.0,
)
_MODES = {ColourMode.COLOUR: "RGB", ColourMode.GREY: "L", ColourMode.BITONAL: "1"}


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(seed=SEED, persons=PERSONS, as_of=AS_OF)


@pytest.fixture(scope="module")
def planned(district: DemoDistrict) -> list[DemoArchive]:
    return plan_archives(district, rates=RATES)


@pytest.fixture(scope="module")
def written(district: DemoDistrict, tmp_path_factory: pytest.TempPathFactory) -> ArchivesWritten:
    return write_demo_archives(district, tmp_path_factory.mktemp("archives"), rates=RATES)


def test_one_folder_per_archive_with_register_and_manifest(written, planned) -> None:
    folders = sorted(p.name for p in written.directory.iterdir() if p.is_dir())
    assert folders == [a.archive_number for a in planned]
    register = read_register(written.directory)
    assert register == {a.archive_number: a.register_entry() for a in planned}
    assert written.pages == sum(a.pages for a in planned)
    assert written.bytes > 0 and written.pages_per_second > 0


def test_scan_names_follow_the_ingest_rule_and_find_their_material(written, planned) -> None:
    from retirelink.archives.ingest import plan_folder

    for archive in planned:
        folder = written.directory / archive.archive_number
        catalogue = [
            Material(
                id=index,
                archive_id=1,
                class_code=entry.class_code,
                material_type=entry.material_type,
                title=entry.title,
                formation_date=entry.formation_date,
                catalogued_pages=entry.pages,
                sequence=entry.sequence or 0,
            )
            for index, entry in enumerate(read_catalogue(folder), start=1)
        ]
        planned_files = plan_folder(cast(HoldingsUnitOfWork, _FakeUow(catalogue)), 1, folder)
        assert [f.problem for f in planned_files if f.problem] == []
        by_id = {m.id: (m.class_code, m.sequence) for m in catalogue}
        found = {f.name: (by_id[f.material_id], f.first_page) for f in planned_files}
        expected = {
            file.name: ((m.class_code, m.sequence), file.pages[0].page_number)
            for m in archive.materials
            for file in m.files
        }
        assert found == expected


class _FakeMaterials:
    def __init__(self, materials: list[Material]) -> None:
        self._materials = materials

    def for_archive(self, archive_id: int) -> list[Material]:
        return self._materials


class _FakeUow:
    """Just what plan_folder reads: the archive's catalogue."""

    def __init__(self, materials: list[Material]) -> None:
        self.materials = _FakeMaterials(materials)


def test_catalogue_csv_parses_and_lists_every_material(written, planned) -> None:
    for archive in planned:
        path = written.directory / archive.archive_number / "catalogue.csv"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == CATALOGUE_HEADERS
        assert rows[1][3] in {m.material_type.label for m in archive.materials}  # 中文 type
        entries = parse_catalogue_rows(rows)
        assert [(e.class_code, e.sequence, e.pages) for e in entries] == [
            (m.class_code, m.sequence, m.catalogued_pages) for m in archive.materials
        ]
        assert [e.formation_date for e in entries] == [
            FuzzyDate(m.formed, e.formation_date.precision) if e.formation_date else None
            for m, e in zip(archive.materials, entries, strict=True)
        ]


def test_page_images_carry_the_recorded_dpi_mode_and_page_count(written, planned) -> None:
    formats = set()
    for archive in planned:
        for material in archive.materials:
            for file in material.files:
                path = written.directory / archive.archive_number / file.name
                formats.add(file.image_format)
                if file.image_format is ImageFormat.PDF:
                    with PdfParser.PdfParser(str(path)) as pdf:
                        assert len(pdf.pages) == len(file.pages)
                    continue
                (page,) = file.pages
                with Image.open(path) as image:
                    assert (
                        image.format
                        == {"jpeg": "JPEG", "tiff": "TIFF", "png": "PNG"}[file.image_format.value]
                    )
                    assert image.mode == _MODES[page.mode]
                    assert tuple(round(v) for v in image.info["dpi"]) == (page.dpi, page.dpi)
                    assert image.size == (
                        round(210 * page.dpi / 25.4),
                        round(297 * page.dpi / 25.4),
                    )
    assert ImageFormat.JPEG in formats


def test_planted_manifest_lists_the_planned_defects_and_points_at_real_files(
    written, planned
) -> None:
    manifest = json.loads((written.directory / "planted.json").read_text("utf-8"))
    assert manifest["defects"] == [d.to_dict() for a in planned for d in a.planted]
    assert manifest["counts"] == dict(written.planted)
    kinds = set(manifest["counts"])
    assert {"altered_birth_date", "skewed", "page_count_mismatch"} <= kinds
    for defect in manifest["defects"]:
        if defect["file"] is not None:
            assert (written.directory / defect["archive_number"] / defect["file"]).is_file()
    low = [d for d in manifest["defects"] if d["defect"] == "low_resolution"]
    for defect in low:
        path = written.directory / defect["archive_number"] / defect["file"]
        with Image.open(path) as image:
            assert round(image.info["dpi"][0]) == 150


def test_altered_page_is_drawn_with_the_correction(written, planned) -> None:
    manifest = json.loads((written.directory / "planted.json").read_text("utf-8"))
    altered = [d for d in manifest["defects"] if d["defect"] == "altered_birth_date"]
    assert len(altered) == PERSONS
    for defect in altered:
        assert defect["shown_birth_date"] != defect["id_card_birth_date"][:7]
        assert defect["struck_text"] != defect["written_text"]
        path = written.directory / defect["archive_number"] / defect["file"]
        assert path.stat().st_size > 50_000


def _skew_estimate(image: Image.Image) -> float:
    """The turn (degrees) that best straightens the page's lines of ink (projection profile)."""
    ink = image.convert("L").point([255 if value < 120 else 0 for value in range(256)])
    best, best_score = 0.0, -1.0
    for step in range(-24, 25):
        angle = step / 4
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float64)
        score = float(rows.sum(axis=1).var())
        if score > best_score:
            best, best_score = angle, score
    return best


def test_skewed_pages_are_really_rotated(planned) -> None:
    page, degrees = next(
        (page, page.skew_degrees)
        for archive in planned
        for material in archive.materials
        for page in material.pages
        if page.skew_degrees
    )
    assert 2.0 <= abs(degrees) <= 4.0
    straight = ScanPage(page.page_number, page.content, 100, ColourMode.COLOUR, 0.0, page.seed)
    turned = ScanPage(page.page_number, page.content, 100, ColourMode.COLOUR, degrees, page.seed)
    assert abs(_skew_estimate(render_page(straight))) <= 0.25
    assert abs(_skew_estimate(render_page(turned)) + degrees) <= 0.5


def test_same_seed_writes_the_same_catalogues_manifest_and_bytes(
    district, written, tmp_path
) -> None:
    again = write_demo_archives(district, tmp_path, persons=1, rates=RATES, workers=1)
    first = written.directory / "130406-000001"
    second = again.directory / "130406-000001"
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert _digest(first / name) == _digest(second / name), name
    one = json.loads((written.directory / "planted.json").read_text("utf-8"))["defects"]
    two = json.loads((again.directory / "planted.json").read_text("utf-8"))["defects"]
    assert two == [d for d in one if d["archive_number"] == "130406-000001"]


def test_catalogues_only_writes_no_pages(district, tmp_path) -> None:
    summary = write_demo_archives(district, tmp_path, rates=RATES, pages=False)
    files = {p.name for p in (tmp_path / "130406-000001").iterdir()}
    assert files == {"catalogue.csv"}
    assert summary.bytes == 0 and summary.pages > 0


def test_a_grey_page_differs_from_its_colour_scan_only_in_colour(planned) -> None:
    page = planned[0].materials[0].pages[0]
    colour = render_page(ScanPage(1, page.content, 60, ColourMode.COLOUR, 0.0, page.seed))
    grey = render_page(ScanPage(1, page.content, 60, ColourMode.GREY, 0.0, page.seed))
    assert grey.mode == "L"
    assert ImageChops.difference(colour.convert("L"), grey).getbbox() is None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_missing_cjk_font_is_reported_in_chinese(monkeypatch) -> None:
    with pytest.raises(FontMissingError, match="找不到中文字体“No Such Family”"):
        cjk_font("No Such Family")  # fontconfig falls back to a font without CJK
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(FontMissingError, match="apt-get install fonts-noto-cjk"):
        cjk_font("Noto Sans CJK TC")
