"""A stand-in for ``retirelink.archives.imaging`` while it is written on its own branch.

``archives.ingest`` (and so the ``retirelink`` CLI package) imports the imaging module at
import time. Tests that need ingest's real naming rule or the CLI call
:func:`ensure_ingest_importable` first: when the real module exists it does nothing; until
then it registers a module with the names ingest and OCR import, none of which these tests
call.
"""

import importlib.util
import sys
import types
from dataclasses import dataclass

MODULE = "retirelink.archives.imaging"


@dataclass(frozen=True)
class _ImageLimits:
    max_file_bytes: int = 200 * 2**20
    max_pixels_per_page: int = 150_000_000
    max_pages_per_file: int = 2000


class _ScanError(Exception):
    message = "imaging stub"


def _not_here(*args: object, **kwargs: object) -> object:
    raise NotImplementedError("retirelink.archives.imaging is not merged into this branch yet")


def ensure_ingest_importable() -> None:
    if MODULE in sys.modules or importlib.util.find_spec(MODULE) is not None:
        return
    stub = types.ModuleType(MODULE)
    stub.__dict__.update(
        ImageLimits=_ImageLimits,
        PageScan=object,
        ScanError=_ScanError,
        identify=_not_here,
        qc_issues=_not_here,
        read_scan=_not_here,
        render_page=_not_here,
    )
    sys.modules[MODULE] = stub
