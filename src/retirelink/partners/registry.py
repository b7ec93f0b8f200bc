"""The partner registry file ``<data_dir>/partners/partners.json`` (docs/exchange.md).

It names our client id and, per department, its code, kind, client id, base URL and the
HMAC-SM3 key it shares with us, as 64 hex characters. A department simulated with SM2
signatures (``retirelink partners serve --sm2 GONGAN``) also has its SM2 public key and
``"sign": "sm2"``, and the platform's SM2 private key is ``our_sm2_private_key``. The
departments' own SM2 private keys are not the platform's: they stay in the simulators' key
file beside it (``simulator-sm2-keys.json``), which ``partners push-death --sm2`` signs with.

Both files hold secrets, so they are written with mode 0600 (and their directory 0700),
atomically, and keys are generated once: a restart of the simulators keeps them, so the
platform's copy stays valid.
"""

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retirelink.errors import InvalidInputError
from retirelink.partners.model import DEPARTMENTS, Department
from retirelink.security.sm2 import SM2PrivateKey, generate_keypair

REGISTRY_FILE = "partners.json"
SM2_KEYS_FILE = "simulator-sm2-keys.json"
KEY_BYTES = 32
# How the demo registry has the platform read 司法's shared table (docs/exchange.md).
SIFA_WATERMARK_INTEGER = "integer"
SIFA_WATERMARK_TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class PartnerEntry:
    department: str
    kind: str
    client_id: str
    base_url: str
    key: bytes = field(repr=False)  # never printed by accident
    sm2_public_key: str | None = None  # the department signs its calls to us with SM2
    sign: str = "hmac"  # how the platform signs its calls to the department: hmac | sm2
    region: str = ""  # another province's node: its province code

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "department": self.department,
            "kind": self.kind,
            "client_id": self.client_id,
            "base_url": self.base_url,
            "key": self.key.hex(),
        }
        if self.region:
            entry["region"] = self.region
        if self.sm2_public_key:
            entry["sm2_public_keys"] = [self.sm2_public_key]
        if self.sign != "hmac":
            entry["sign"] = self.sign
        return entry


@dataclass(frozen=True)
class PartnerRegistry:
    our_client_id: str
    partners: tuple[PartnerEntry, ...]
    # Feeds the platform pulls, by department code (docs/exchange.md), and the drop folder
    # (relative to the platform's data directory) where departments leave files.
    feeds: Mapping[str, tuple[Mapping[str, str], ...]] = field(default_factory=dict)
    inbox: str = ""
    our_sm2_key: SM2PrivateKey | None = None  # the platform's; repr shows the public key only

    def entry(self, code: str) -> PartnerEntry:
        for entry in self.partners:
            if entry.department == code:
                return entry
        raise InvalidInputError(f"协同部门登记文件中没有部门 {code}", field="department")

    def keys(self) -> dict[str, bytes]:
        return {entry.department: entry.key for entry in self.partners}

    def to_dict(self) -> dict[str, Any]:
        partners: list[dict[str, Any]] = []
        for entry in self.partners:
            fields: dict[str, Any] = dict(entry.to_dict())
            feeds = self.feeds.get(entry.department)
            if feeds:
                fields["feeds"] = [dict(feed) for feed in feeds]
            partners.append(fields)
        document: dict[str, Any] = {"our_client_id": self.our_client_id, "partners": partners}
        if self.our_sm2_key is not None:
            document["our_sm2_private_key"] = self.our_sm2_key.hex
        if self.inbox:
            document["inbox"] = self.inbox
        return document

    def with_demo_feeds(
        self, sifa_url: str, *, sifa_watermark: str = SIFA_WATERMARK_INTEGER
    ) -> "PartnerRegistry":
        """The demo's three transports: 公安 and 医保 pulled by API, 司法 by its shared table;
        卫健 and 民政 drop files in the inbox. ``sifa_watermark``: the shared table is read by
        its sequence (``integer``, the default) or by its change time (``timestamp``:
        ``updated_at`` with ``seq`` breaking ties)."""
        table: dict[str, str] = {
            "item": "justice.prisoners_in_custody",
            "via": "table",
            "database_url": sifa_url,
            "table": "sifa_prisoner_changes",
        }
        if sifa_watermark == SIFA_WATERMARK_INTEGER:
            table["watermark"] = "seq"
        elif sifa_watermark == SIFA_WATERMARK_TIMESTAMP:
            table |= {"watermark": "updated_at", "watermark_kind": "timestamp", "tiebreak": "seq"}
        else:
            raise InvalidInputError(
                "司法共享库表的水位方式只能是 integer 或 timestamp", field="sifa_watermark"
            )
        feeds = {
            "GONGAN": ({"item": "public_security.death_cancellation", "via": "api"},),
            "YIBAO": ({"item": "medical_insurance.enrolment_and_settlement", "via": "api"},),
            "SIFA": (table,),
        }
        return PartnerRegistry(
            self.our_client_id, self.partners, feeds, "partners/inbox", self.our_sm2_key
        )


def registry_path(data_dir: Path) -> Path:
    return data_dir / "partners" / REGISTRY_FILE


def sm2_keys_path(data_dir: Path) -> Path:
    return data_dir / "partners" / SM2_KEYS_FILE


def _entry(data: Mapping[str, Any]) -> PartnerEntry:
    key = bytes.fromhex(str(data["key"]))
    if len(key) < 16:
        raise ValueError("key too short")
    public_keys = data.get("sm2_public_keys") or [None]
    return PartnerEntry(
        department=str(data["department"]),
        kind=str(data["kind"]),
        client_id=str(data["client_id"]),
        base_url=str(data["base_url"]),
        key=key,
        sm2_public_key=public_keys[0],
        sign=str(data.get("sign", "hmac")),
        region=str(data.get("region", "")),
    )


def parse_registry(text: str) -> PartnerRegistry:
    try:
        data = json.loads(text)
        our_key = data.get("our_sm2_private_key")
        return PartnerRegistry(
            our_client_id=str(data["our_client_id"]),
            partners=tuple(_entry(entry) for entry in data["partners"]),
            our_sm2_key=SM2PrivateKey(our_key) if our_key else None,
        )
    except (ValueError, KeyError, TypeError, InvalidInputError):
        raise InvalidInputError("协同部门登记文件 partners.json 格式错误") from None


def read_registry(path: Path) -> PartnerRegistry | None:
    """The registry at ``path``; None when there is none yet."""
    if not path.exists():
        return None
    return parse_registry(path.read_text("utf-8"))


def shared_keys(
    existing: PartnerRegistry | None, departments: Iterable[Department] = DEPARTMENTS
) -> dict[str, bytes]:
    """Each department's key: kept from ``existing`` when there, else 32 fresh random bytes."""
    known = existing.keys() if existing is not None else {}
    return {d.code: known.get(d.code) or secrets.token_bytes(KEY_BYTES) for d in departments}


def platform_sm2_key(existing: PartnerRegistry | None) -> SM2PrivateKey:
    """The platform's SM2 key: kept from ``existing`` when there, else a new one."""
    if existing is not None and existing.our_sm2_key is not None:
        return existing.our_sm2_key
    return generate_keypair().private_key


def read_sm2_keys(path: Path) -> dict[str, SM2PrivateKey]:
    """The departments' own SM2 private keys (by department code); empty when none yet."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        return {str(code): SM2PrivateKey(str(key)) for code, key in data["departments"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, InvalidInputError):
        raise InvalidInputError(f"模拟部门 SM2 密钥文件 {path.name} 格式错误") from None


def department_sm2_keys(path: Path, codes: Iterable[str]) -> dict[str, SM2PrivateKey]:
    """SM2 private keys of the departments ``codes`` (generated once, kept in ``path``)."""
    known = read_sm2_keys(path)
    wanted = list(codes)
    missing = [code for code in wanted if code not in known]
    if missing:
        known.update({code: generate_keypair().private_key for code in missing})
        document = {"departments": {code: key.hex for code, key in known.items()}}
        write_secret_json(path, document)
    return {code: known[code] for code in wanted}


def write_registry(path: Path, registry: PartnerRegistry) -> Path:
    """Write atomically with mode 0600: readable by the service account only."""
    return write_secret_json(path, registry.to_dict())


def write_secret_json(path: Path, document: Mapping[str, Any]) -> Path:
    """Write ``document`` as JSON atomically with mode 0600 (directory 0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)  # O_CREAT's mode does not apply to an existing file
    os.replace(temporary, path)
    return path
