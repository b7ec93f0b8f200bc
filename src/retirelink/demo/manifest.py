"""The demo district's manifest, ``<data_dir>/demo/district.json``: seed, persons and as_of.

``retirelink demo load`` writes it beside the partner feeds. The district is deterministic
in those three values, so a program without a database (the partner simulators) reads the
manifest and generates exactly the district the platform holds.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from retirelink.errors import InvalidInputError

MANIFEST_FILE = "district.json"


@dataclass(frozen=True)
class DistrictManifest:
    seed: int
    persons: int
    as_of: date

    def to_dict(self) -> dict[str, int | str]:
        return {"seed": self.seed, "persons": self.persons, "as_of": self.as_of.isoformat()}


def write_manifest(directory: Path, manifest: DistrictManifest) -> Path:
    """Write ``district.json`` into ``directory`` (created if missing); returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MANIFEST_FILE
    path.write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path


def read_manifest(directory: Path) -> DistrictManifest | None:
    """The manifest in ``directory``; None when no district was loaded there yet."""
    path = directory / MANIFEST_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        return DistrictManifest(
            seed=_as_int(data["seed"]),
            persons=_as_int(data["persons"]),
            as_of=date.fromisoformat(str(data["as_of"])),
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidInputError(
            f"演示辖区清单 {path} 格式错误，请重新运行 retirelink demo load"
        ) from None


def _as_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(value)
    return value
