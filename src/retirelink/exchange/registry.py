"""The partner registry: which partner systems we exchange with, where, and with which keys.

It is a JSON file kept by the operator (``RETIRELINK_PARTNERS_FILE``; format in
docs/exchange.md), readable by the service account only. It is re-read when it changes, so a
partner added or a key rotated takes effect without a restart.

Per partner: the HMAC-SM3 key shared with it (``key``), its SM2 public keys
(``sm2_public_keys``, newest first), or both; and how we sign our calls to it (``sign``:
``hmac`` or ``sm2``). Our own SM2 private key, for partners that ask for SM2, is
``our_sm2_private_key``. Key material never appears in a ``repr`` or an error message.
"""

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retirelink.archives.model import DepartmentKind
from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.model import (
    DEFAULT_SETTLE_SECONDS,
    PartnerLink,
    RequestSigning,
    WatermarkKind,
)
from retirelink.security.sm2 import SM2PrivateKey, normalise_public_key

DEFAULT_CLIENT_ID = "SHEBAO"
# A partner timestamp without a zone is in this one unless the feed declares another.
DEFAULT_PARTNER_ZONE = "Asia/Shanghai"
# The longest settle lag accepted: a day (a longer one would hold every change back a day).
_MAX_SETTLE_SECONDS = 86_400
_TIMESTAMP_ONLY = ("tiebreak", "settle_seconds", "timezone")


@dataclass(frozen=True)
class FeedSpec:
    """A feed we pull from a partner: its catalogue item and how (``api`` or ``table``).

    For ``table``: the partner database URL, the table or view and its watermark column — an
    integer sequence (the default), or with ``watermark_kind`` ``timestamp`` a change
    timestamp read in (timestamp, ``tiebreak``) order, ``settle_seconds`` behind the clock,
    a timestamp without a zone being in ``timezone`` (docs/exchange.md).
    """

    department: str
    item: str
    via: str
    database_url: str = ""
    table: str = ""
    watermark: str = "seq"
    watermark_kind: WatermarkKind = WatermarkKind.INTEGER
    tiebreak: str = ""
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    timezone: str = DEFAULT_PARTNER_ZONE

    @property
    def name(self) -> str:
        """The sync cursor's key, e.g. ``justice.prisoners_in_custody@table``."""
        return f"{self.item}@{self.via}"


@dataclass(frozen=True)
class Registry:
    """One reading of the registry file."""

    our_client_id: str
    links: tuple[PartnerLink, ...]
    feeds: tuple[FeedSpec, ...] = ()
    inbox: str = ""
    our_sm2_key: SM2PrivateKey | None = None  # repr shows its public key only

    def request_key(self, link: PartnerLink) -> bytes | SM2PrivateKey:
        """What our calls to ``link`` are signed with (``exchange.signing.sign_request``)."""
        if link.sign is RequestSigning.SM2:
            if self.our_sm2_key is None:
                raise InvalidInputError("共享交换登记表未登记我方 SM2 私钥（our_sm2_private_key）")
            return self.our_sm2_key
        if link.key is None:
            raise InvalidInputError(f"共享交换登记表中{link.department}未登记共享密钥（key）")
        return link.key

    def by_kind(self, kind: str) -> PartnerLink:
        for link in self.links:
            if link.kind.value == kind:
                return link
        raise NotFoundError(f"未登记{_kind_label(kind)}的协同系统（共享交换登记表中没有该部门）")

    def node_for(self, province: str) -> PartnerLink:
        """Another province's node (``kind`` provincial_node, ``region`` its code)."""
        for link in self.links:
            if link.kind is DepartmentKind.PROVINCIAL_NODE and link.region == province:
                return link
        raise NotFoundError(f"共享交换登记表中未登记行政区划{province}的社保经办机构节点")

    def by_client(self, client_id: str) -> PartnerLink | None:
        return next((link for link in self.links if link.client_id == client_id), None)


EMPTY_REGISTRY = Registry(DEFAULT_CLIENT_ID, ())


def _kind_label(kind: str) -> str:
    try:
        return DepartmentKind(kind).label
    except ValueError:
        return kind


def parse_registry(document: Any, *, platform_receipt_key: bytes | None = None) -> Registry:
    """Validate a registry document; raises :class:`InvalidInputError` naming the fault.

    ``platform_receipt_key`` signs receipts for partners registered without a shared key.
    """
    if not isinstance(document, dict) or not isinstance(document.get("partners"), list):
        raise InvalidInputError("共享交换登记表格式错误：应为含 partners 列表的 JSON 对象")
    our = document.get("our_client_id", DEFAULT_CLIENT_ID)
    if not isinstance(our, str) or not our:
        raise InvalidInputError("共享交换登记表中 our_client_id 应为非空字符串")
    our_sm2_key = _our_sm2_key(document.get("our_sm2_private_key"))
    entries = document["partners"]
    links = tuple(
        _link(entry, index, platform_receipt_key) for index, entry in enumerate(entries, 1)
    )
    clients = [link.client_id for link in links]
    if len(set(clients)) != len(clients):
        raise InvalidInputError("共享交换登记表中有重复的 client_id")
    asking_sm2 = [link.department for link in links if link.sign is RequestSigning.SM2]
    if asking_sm2 and our_sm2_key is None:
        raise InvalidInputError(
            f"共享交换登记表中{'、'.join(asking_sm2)}要求 SM2 签名（sign: sm2），"
            "但未登记我方 SM2 私钥（our_sm2_private_key）"
        )
    feeds = tuple(
        _feed(link.department, feed)
        for link, entry in zip(links, entries, strict=True)
        for feed in entry.get("feeds", [])
    )
    inbox = document.get("inbox", "")
    if not isinstance(inbox, str):
        raise InvalidInputError("共享交换登记表中 inbox 应为目录路径字符串")
    return Registry(our, links, feeds, inbox, our_sm2_key)


def _our_sm2_key(value: Any) -> SM2PrivateKey | None:
    if value is None or value == "":
        return None
    try:
        return SM2PrivateKey(value if isinstance(value, str) else "")
    except InvalidInputError as error:  # the message names the fault, never the key
        message = f"共享交换登记表中 our_sm2_private_key 无效：{error.message}"
        raise InvalidInputError(message) from None


def _feed(department: str, entry: Any) -> FeedSpec:
    where = f"共享交换登记表中{department}的 feeds"
    if not isinstance(entry, dict) or not isinstance(entry.get("item"), str):
        raise InvalidInputError(f"{where}每项应为含 item 的 JSON 对象")
    via = entry.get("via", "api")
    if via not in ("api", "table"):
        raise InvalidInputError(f"{where}的 via 只能是 api 或 table")
    spec = FeedSpec(
        department=department,
        item=entry["item"],
        via=via,
        database_url=str(entry.get("database_url", "")),
        table=str(entry.get("table", "")),
        watermark=str(entry.get("watermark", "seq")),
    )
    if via == "table" and not (spec.database_url and spec.table):
        raise InvalidInputError(f"{where}：库表同步须填写 database_url 和 table")
    return _watermark(spec, entry, f"{where}（{spec.item}）")


def _watermark(spec: FeedSpec, entry: dict[str, Any], where: str) -> FeedSpec:
    """The watermark fields of a table feed: ``integer`` (default) or ``timestamp``."""
    try:
        kind = WatermarkKind(entry.get("watermark_kind", WatermarkKind.INTEGER.value))
    except ValueError:
        raise InvalidInputError(
            f"{where}的 watermark_kind 只能是 integer（序号）或 timestamp（更新时间）"
        ) from None
    if kind is WatermarkKind.INTEGER:
        extra = [name for name in _TIMESTAMP_ONLY if name in entry]
        if extra:
            raise InvalidInputError(
                f"{where}：{'、'.join(extra)} 只用于更新时间水位（watermark_kind: timestamp）"
            )
        return spec
    if spec.via != "table":
        raise InvalidInputError(f"{where}：更新时间水位只用于库表同步（via: table）")
    watermark, tiebreak = entry.get("watermark"), entry.get("tiebreak")
    if not (isinstance(watermark, str) and watermark and isinstance(tiebreak, str) and tiebreak):
        raise InvalidInputError(
            f"{where}：更新时间水位须填写 watermark（更新时间列）和 tiebreak（比对列，如主键）"
        )
    if tiebreak == watermark:
        raise InvalidInputError(f"{where}：tiebreak 应为更新时间列以外的唯一列（如主键）")
    settle = entry.get("settle_seconds", DEFAULT_SETTLE_SECONDS)
    if (
        isinstance(settle, bool)
        or not isinstance(settle, int | float)
        or not 0 <= settle <= _MAX_SETTLE_SECONDS
    ):
        raise InvalidInputError(f"{where}的 settle_seconds 应为 0 到 {_MAX_SETTLE_SECONDS} 的秒数")
    zone = entry.get("timezone", DEFAULT_PARTNER_ZONE)
    if not isinstance(zone, str) or not _known_zone(zone):
        raise InvalidInputError(f"{where}的 timezone 不是已知时区（如 Asia/Shanghai）")
    return replace(
        spec,
        watermark_kind=kind,
        tiebreak=tiebreak,
        settle_seconds=float(settle),
        timezone=zone,
    )


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return True


def _link(entry: Any, index: int, platform_receipt_key: bytes | None) -> PartnerLink:
    where = f"共享交换登记表第{index}个部门"
    if not isinstance(entry, dict):
        raise InvalidInputError(f"{where}应为 JSON 对象")
    fields = {name: entry.get(name) for name in ("department", "kind", "client_id", "base_url")}
    missing = [name for name, value in fields.items() if not isinstance(value, str) or not value]
    if missing:
        raise InvalidInputError(f"{where}缺少字段：{'、'.join(missing)}")
    try:
        kind = DepartmentKind(entry["kind"])
    except ValueError:
        raise InvalidInputError(f"{where}的 kind 无效：{entry['kind']}") from None
    key = _shared_key(entry.get("key"), where)
    public_keys = _sm2_public_keys(entry.get("sm2_public_keys"), where)
    if key is None and not public_keys:
        raise InvalidInputError(
            f"{where}须登记共享密钥 key 或 SM2 公钥 sm2_public_keys（至少一项）"
        )
    default = RequestSigning.HMAC if key is not None else RequestSigning.SM2
    try:
        sign = RequestSigning(entry.get("sign", default.value))
    except ValueError:
        raise InvalidInputError(f"{where}的 sign 只能是 hmac 或 sm2") from None
    if sign is RequestSigning.HMAC and key is None:
        raise InvalidInputError(f"{where}的 sign 为 hmac，但未登记共享密钥 key")
    region = _node_region(entry.get("region"), kind, where)
    return PartnerLink(
        department=entry["department"],
        kind=kind,
        client_id=entry["client_id"],
        base_url=entry["base_url"].rstrip("/"),
        key=key,
        sm2_public_keys=public_keys,
        sign=sign,
        platform_receipt_key=platform_receipt_key,
        region=region,
    )


def _node_region(value: Any, kind: DepartmentKind, where: str) -> str:
    """Another province's node names its province (a code ending 0000); nobody else does."""
    if kind is not DepartmentKind.PROVINCIAL_NODE:
        if value not in (None, ""):
            raise InvalidInputError(f"{where}不是外省节点，不应填写 region")
        return ""
    text = value if isinstance(value, str) else ""
    if not (len(text) == 6 and text.isascii() and text.isdigit() and text.endswith("0000")):
        raise InvalidInputError(f"{where}是外省节点，须填写省级行政区划代码 region（如 140000）")
    return text


def _shared_key(value: Any, where: str) -> bytes | None:
    if value is None or value == "":
        return None
    try:
        key = bytes.fromhex(value if isinstance(value, str) else "")
    except ValueError:
        raise InvalidInputError(f"{where}的 key 无效（应为十六进制）") from None
    if len(key) < 16:
        raise InvalidInputError(f"{where}的密钥过短：至少16字节（32个十六进制字符）")
    return key


def _sm2_public_keys(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        raise InvalidInputError(f"{where}的 sm2_public_keys 应为十六进制字符串的列表（新的在前）")
    normalised: list[str] = []
    for number, text in enumerate(value, 1):
        try:
            public_key = normalise_public_key(text)
        except InvalidInputError as error:
            message = f"{where}的第{number}个 SM2 公钥无效：{error.message}"
            raise InvalidInputError(message) from None
        if public_key not in normalised:
            normalised.append(public_key)
    return tuple(normalised)


class RegistryFile:
    """The registry file, re-read whenever its modification time changes. Also the key ring
    the signature check uses (``exchange.signing.KeyRing``)."""

    def __init__(self, path: Path, *, platform_receipt_key: bytes | None = None) -> None:
        self.path = path
        self._platform_receipt_key = platform_receipt_key
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._registry = EMPTY_REGISTRY

    def current(self) -> Registry:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return EMPTY_REGISTRY
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                document = json.loads(self.path.read_text("utf-8"))
                self._registry = parse_registry(
                    document, platform_receipt_key=self._platform_receipt_key
                )
                self._stamp = stamp
            return self._registry

    def verification_keys(self, client_id: str) -> Sequence[bytes]:
        return _shared_keys(self.current(), client_id)

    def sm2_public_keys(self, client_id: str) -> Sequence[str]:
        return _public_keys(self.current(), client_id)


class StaticRegistry:
    """A registry held in memory (tests, and deployments that configure partners in code)."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def current(self) -> Registry:
        return self._registry

    def verification_keys(self, client_id: str) -> Sequence[bytes]:
        return _shared_keys(self._registry, client_id)

    def sm2_public_keys(self, client_id: str) -> Sequence[str]:
        return _public_keys(self._registry, client_id)


def _shared_keys(registry: Registry, client_id: str) -> Sequence[bytes]:
    link = registry.by_client(client_id)
    return (link.key,) if link is not None and link.key is not None else ()


def _public_keys(registry: Registry, client_id: str) -> Sequence[str]:
    link = registry.by_client(client_id)
    return link.sm2_public_keys if link is not None else ()
