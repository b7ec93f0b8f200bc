"""A demo archive as planned: its materials, their scan files and pages, and the defects
planted among them, with the rates they are planted at. What
:func:`retirelink.demo.archives.plan_archives` returns and the folder writer and page
renderer read.

Planted defects (:class:`PlantingRates`): skewed pages (2-4°), low resolution (150 dpi),
grey or bitonal scans of materials that need colour, blank pages, catalogue page counts that
differ from the scans, and persons whose earliest birth-stating material shows an **altered**
birth date (crossed out and rewritten, different from the ID card and the other materials).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from retirelink.archives.holdings import ColourMode, ImageFormat
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.demo.page_content import PageContent


@dataclass(frozen=True)
class PlantingRates:
    """How often each defect is planted (shares of pages, materials or persons)."""

    skewed: float = 0.05  # of pages: rotated 2-4°
    low_resolution: float = 0.03  # of pages: scanned at 150 dpi
    wrong_colour_mode: float = 0.02  # of pages of materials that need colour: grey or bitonal
    blank_page: float = 0.005  # of materials: a blank back page scanned with them
    page_count_mismatch: float = 0.02  # of materials: the catalogue's count differs
    altered_birth_date: float = 0.02  # of persons: the earliest birth date was overwritten

    def to_dict(self) -> dict[str, float]:
        return {
            "skewed": self.skewed,
            "low_resolution": self.low_resolution,
            "wrong_colour_mode": self.wrong_colour_mode,
            "blank_page": self.blank_page,
            "page_count_mismatch": self.page_count_mismatch,
            "altered_birth_date": self.altered_birth_date,
        }


DEFAULT_RATES = PlantingRates()


class Defect(StrEnum):
    SKEWED = "skewed"
    LOW_RESOLUTION = "low_resolution"
    GREY = "grey"
    BITONAL = "bitonal"
    BLANK = "blank"
    PAGE_COUNT_MISMATCH = "page_count_mismatch"
    ALTERED_BIRTH_DATE = "altered_birth_date"

    @property
    def label(self) -> str:
        return _DEFECT_LABELS[self]


_DEFECT_LABELS = {
    Defect.SKEWED: "页面倾斜",
    Defect.LOW_RESOLUTION: "分辨率不足",
    Defect.GREY: "应彩色扫描却为灰度",
    Defect.BITONAL: "应彩色扫描却为黑白二值",
    Defect.BLANK: "空白页",
    Defect.PAGE_COUNT_MISMATCH: "目录页数与扫描页数不符",
    Defect.ALTERED_BIRTH_DATE: "出生日期涂改",
}


@dataclass(frozen=True)
class ScanPage:
    """One scanned page: what it says and how the scanner saw it."""

    page_number: int
    content: PageContent
    dpi: int
    mode: ColourMode
    skew_degrees: float
    seed: str  # for the renderer's pen jitter and ink, so a page renders the same every time


@dataclass(frozen=True)
class PageFile:
    """One scan file: a single page, or all pages of a material for a multi-page PDF."""

    name: str
    image_format: ImageFormat
    pages: tuple[ScanPage, ...]


@dataclass(frozen=True)
class DemoMaterial:
    class_code: str
    sequence: int
    material_type: MaterialType
    title: str
    formed: date
    catalogued_pages: int
    files: tuple[PageFile, ...]
    # The birth date a reader takes from this material (None: it states none).
    stated_birth: date | None

    @property
    def pages(self) -> tuple[ScanPage, ...]:
        return tuple(page for file in self.files for page in file.pages)

    def catalogue_row(self) -> tuple[str, ...]:
        """The row of ``catalogue.csv`` (cataloguing.CATALOGUE_HEADERS order)."""
        return (
            self.class_code,
            str(self.sequence),
            self.title,
            self.material_type.label,
            f"{self.formed.year:04d}-{self.formed.month:02d}",
            str(self.catalogued_pages),
        )


@dataclass(frozen=True)
class PlantedDefect:
    defect: Defect
    archive_number: str
    id_number: str
    class_code: str
    sequence: int
    material_type: MaterialType
    page: int | None
    file: str | None
    detail: Mapping[str, str | int | float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "defect": self.defect.value,
            "archive_number": self.archive_number,
            "id_number": self.id_number,
            "class_code": self.class_code,
            "sequence": self.sequence,
            "material_type": self.material_type.value,
            "page": self.page,
            "file": self.file,
            **self.detail,
        }


@dataclass(frozen=True)
class DemoArchive:
    archive_number: str
    id_number: str
    name: str
    kind: ArchiveKind
    custodian: str
    location: str
    materials: tuple[DemoMaterial, ...]
    planted: tuple[PlantedDefect, ...]

    @property
    def pages(self) -> int:
        return sum(len(material.pages) for material in self.materials)

    def register_entry(self) -> dict[str, str]:
        """This archive's line in ``archives.json``."""
        return {
            "id_number": self.id_number,
            "kind": self.kind.value,
            "custodian": self.custodian,
            "location": self.location,
        }
