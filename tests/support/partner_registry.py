"""A partner registry file for tests: 公安, 司法, 卫健, 民政, 住建 and 医保 with fixed keys.

``sm2`` gives departments an SM2 key pair (the registry holds the public key); those in
``sm2_only`` are registered without a shared key. ``our_sm2_key`` is the platform's."""

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from retirelink.config import Settings
from retirelink.security.sm2 import SM2PrivateKey

GONGAN, SIFA, WEIJIAN, MINZHENG, GJJ, YIBAO = (
    "GONGAN",
    "SIFA",
    "WEIJIAN",
    "MINZHENG",
    "GJJ",
    "YIBAO",
)
KINDS = {
    GONGAN: "public_security",
    SIFA: "justice",
    WEIJIAN: "health",
    MINZHENG: "civil_affairs",
    GJJ: "housing_fund",
    YIBAO: "medical_insurance",
}
OUR_CLIENT_ID = "SHEBAO-130406"


class TestPartner(NamedTuple):
    department: str
    client_id: str
    key: bytes
    base_url: str
    sm2_key: SM2PrivateKey | None = None


def _entry(partner: TestPartner, sm2_only: Collection[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "department": partner.department,
        "kind": KINDS[partner.department],
        "client_id": partner.client_id,
        "base_url": partner.base_url,
    }
    if partner.department not in sm2_only:
        entry["key"] = partner.key.hex()
    if partner.sm2_key is not None:
        entry["sm2_public_keys"] = [partner.sm2_key.public_key]
    return entry


def write_registry(
    settings: Settings,
    base_urls: dict[str, str] | None = None,
    *,
    sm2: Mapping[str, SM2PrivateKey] | None = None,
    sm2_only: Collection[str] = (),
    our_sm2_key: SM2PrivateKey | None = None,
) -> dict[str, TestPartner]:
    """Write the registry where the settings look for it; returns the partners by code."""
    partners = {
        code: TestPartner(
            code,
            f"{code}-130406",
            f"{code}-test-key-0123456789abcdef".encode()[:32],
            (base_urls or {}).get(code, f"http://127.0.0.1:9/{code}"),
            (sm2 or {}).get(code),
        )
        for code in KINDS
    }
    document: dict[str, Any] = {
        "our_client_id": OUR_CLIENT_ID,
        "partners": [_entry(p, sm2_only) for p in partners.values()],
    }
    if our_sm2_key is not None:
        document["our_sm2_private_key"] = our_sm2_key.hex
    path = Path(settings.partners_file or settings.data_dir / "partners.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return partners
