"""A partner registry file for tests: 公安, 司法, 卫健, 民政, 住建 and 医保 with fixed keys."""

import json
from pathlib import Path
from typing import NamedTuple

from retirelink.config import Settings

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


def write_registry(
    settings: Settings, base_urls: dict[str, str] | None = None
) -> dict[str, TestPartner]:
    """Write the registry where the settings look for it; returns the partners by code."""
    partners = {
        code: TestPartner(
            code,
            f"{code}-130406",
            f"{code}-test-key-0123456789abcdef".encode()[:32],
            (base_urls or {}).get(code, f"http://127.0.0.1:9/{code}"),
        )
        for code in KINDS
    }
    document = {
        "our_client_id": OUR_CLIENT_ID,
        "partners": [
            {
                "department": p.department,
                "kind": KINDS[p.department],
                "client_id": p.client_id,
                "base_url": p.base_url,
                "key": p.key.hex(),
            }
            for p in partners.values()
        ],
    }
    path = Path(settings.partners_file or settings.data_dir / "partners.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return partners
