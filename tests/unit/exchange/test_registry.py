"""The partner registry's keys: shared HMAC keys, SM2 public keys, our SM2 key, ``sign``."""

from dataclasses import replace
from typing import Any

import pytest

from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.model import RequestSigning
from retirelink.exchange.registry import StaticRegistry, parse_registry
from retirelink.security.sm2 import SM2PrivateKey, generate_keypair

SHARED = "ab" * 32
PARTNER_SM2 = SM2PrivateKey("75c4090a9394d5c7083663de6787bb78fed986392c85c5cf52e012a776f66ade")
OURS = generate_keypair().private_key
PLATFORM_RECEIPT_KEY = b"p" * 32


def entry(**fields: Any) -> dict[str, Any]:
    base = {
        "department": "GONGAN",
        "kind": "public_security",
        "client_id": "GONGAN-130406",
        "base_url": "http://127.0.0.1:8101/",
    }
    return {**base, **fields}


def registry(*entries: dict[str, Any], **top: Any) -> Any:
    return parse_registry(
        {"our_client_id": "SHEBAO-130406", "partners": list(entries), **top},
        platform_receipt_key=PLATFORM_RECEIPT_KEY,
    )


def test_an_hmac_partner_is_signed_with_its_shared_key_as_before() -> None:
    parsed = registry(entry(key=SHARED))
    (link,) = parsed.links

    assert link.key == bytes.fromhex(SHARED)
    assert link.sm2_public_keys == ()
    assert link.sign is RequestSigning.HMAC
    assert parsed.request_key(link) == bytes.fromhex(SHARED)
    assert link.receipt_key == bytes.fromhex(SHARED)
    assert StaticRegistry(parsed).sm2_public_keys("GONGAN-130406") == ()


def test_sm2_public_keys_are_normalised_from_either_form_and_deduplicated() -> None:
    bare = PARTNER_SM2.public_key[2:].upper()
    other = generate_keypair().public_key

    (link,) = registry(
        entry(key=SHARED, sm2_public_keys=[other, bare, PARTNER_SM2.public_key])
    ).links
    keys = StaticRegistry(
        registry(entry(sm2_public_keys=[bare]), our_sm2_private_key=OURS.hex)
    ).sm2_public_keys

    assert link.sm2_public_keys == (other, PARTNER_SM2.public_key)
    assert keys("GONGAN-130406") == (PARTNER_SM2.public_key,)
    assert keys("SIFA-130406") == ()


def test_a_partner_with_sm2_only_is_called_with_our_sm2_key_and_gets_platform_receipts() -> None:
    parsed = registry(entry(sm2_public_keys=[PARTNER_SM2.public_key]), our_sm2_private_key=OURS.hex)
    (link,) = parsed.links
    ring = StaticRegistry(parsed)

    assert link.key is None
    assert link.sign is RequestSigning.SM2
    assert parsed.request_key(link) == OURS
    assert link.receipt_key == PLATFORM_RECEIPT_KEY
    assert ring.verification_keys("GONGAN-130406") == ()
    assert ring.sm2_public_keys("GONGAN-130406") == (PARTNER_SM2.public_key,)


def test_a_partner_may_ask_for_sm2_while_keeping_its_shared_key_for_receipts() -> None:
    parsed = registry(entry(key=SHARED, sign="sm2"), our_sm2_private_key=OURS.hex.upper())
    (link,) = parsed.links

    assert parsed.request_key(link) == OURS
    assert link.receipt_key == bytes.fromhex(SHARED)


@pytest.mark.parametrize(
    ("fields", "top", "message"),
    [
        ({}, {}, "须登记共享密钥 key 或 SM2 公钥"),
        ({"key": "abc"}, {}, "key 无效"),
        ({"key": "ab" * 8 + "a"}, {}, "key 无效"),
        ({"key": "ab" * 15}, {}, "密钥过短"),
        ({"sm2_public_keys": "04ab"}, {}, "应为十六进制字符串的列表"),
        ({"sm2_public_keys": ["04" + "ab" * 64]}, {}, "第1个 SM2 公钥无效：SM2 公钥不是曲线上的点"),
        ({"key": SHARED, "sign": "rsa"}, {}, "sign 只能是 hmac 或 sm2"),
        ({"sm2_public_keys": [PARTNER_SM2.public_key], "sign": "hmac"}, {}, "未登记共享密钥"),
        ({"key": SHARED, "sign": "sm2"}, {}, "未登记我方 SM2 私钥"),
        ({"key": SHARED}, {"our_sm2_private_key": "00" * 32}, "our_sm2_private_key 无效"),
        ({"key": SHARED}, {"our_sm2_private_key": 42}, "our_sm2_private_key 无效"),
    ],
)
def test_a_faulty_entry_is_refused_naming_the_fault(
    fields: dict[str, Any], top: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        registry(entry(**fields), **top)


def test_errors_and_reprs_never_show_key_material() -> None:
    secret = "cd" * 31 + "c"  # odd length: invalid, and must not be echoed
    with pytest.raises(InvalidInputError) as refused:
        registry(entry(key=SHARED), our_sm2_private_key=secret)
    parsed = registry(entry(key=SHARED, sign="sm2"), our_sm2_private_key=OURS.hex)

    assert secret not in refused.value.message
    assert OURS.hex not in repr(parsed) and SHARED not in repr(parsed)
    assert repr(bytes.fromhex(SHARED)) not in repr(parsed)
    assert OURS.public_key in repr(parsed)  # the public half is fine to show


def test_a_partner_registered_with_sm2_only_needs_our_sm2_key() -> None:
    with pytest.raises(InvalidInputError, match=r"GONGAN要求 SM2 签名.*未登记我方 SM2 私钥"):
        registry(entry(sm2_public_keys=[PARTNER_SM2.public_key]))


def test_without_a_platform_receipt_key_an_sm2_only_link_cannot_sign_receipts() -> None:
    parsed = parse_registry(
        {"partners": [entry(sm2_public_keys=[PARTNER_SM2.public_key])],
         "our_sm2_private_key": OURS.hex}
    )  # fmt: skip
    (link,) = parsed.links

    with pytest.raises(InvalidInputError, match="未登记共享密钥，无法签发回执"):
        _ = link.receipt_key
    with pytest.raises(InvalidInputError, match="未登记我方 SM2 私钥"):
        replace(parsed, our_sm2_key=None).request_key(link)


def _node(code: str, region: Any, client: str) -> dict[str, Any]:
    return entry(
        department=code, kind="provincial_node", client_id=client, key=SHARED, region=region
    )


def test_other_provinces_nodes_are_found_by_their_province_and_kept_apart_in_health() -> None:
    parsed = registry(
        entry(key=SHARED),
        _node("SHANXI", "140000", "SHEBAO-140000"),
        _node("HENAN", "410000", "SHEBAO-410000"),
    )

    henan = parsed.node_for("410000")
    assert henan.department == "HENAN" and henan.region == "410000"
    assert henan.health_key == "provincial_node@410000"
    assert parsed.by_kind("public_security").health_key == "public_security"
    with pytest.raises(NotFoundError, match="未登记行政区划440000的社保经办机构节点"):
        parsed.node_for("440000")


@pytest.mark.parametrize(
    ("faulty", "message"),
    [
        (_node("SHANXI", None, "SHEBAO-140000"), "须填写省级行政区划代码 region"),
        (_node("SHANXI", "140100", "SHEBAO-140000"), "须填写省级行政区划代码 region"),
        (entry(key=SHARED, region="140000"), "不是外省节点，不应填写 region"),
    ],
    ids=["node-without-region", "node-with-a-city-code", "department-with-region"],
)
def test_a_node_must_name_its_province_and_nobody_else_may(faulty, message) -> None:
    with pytest.raises(InvalidInputError, match=message):
        registry(faulty)
