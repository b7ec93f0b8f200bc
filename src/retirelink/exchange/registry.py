"""The partner registry: which partner systems we exchange with, where, and with which key.

It is a JSON file kept by the operator (``RETIRELINK_PARTNERS_FILE``; format in
docs/exchange.md), readable by the service account only. It is re-read when it changes, so a
partner added or a key rotated takes effect without a restart.
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
from retirelink.exchange.model import DEFAULT_SETTLE_SECONDS, PartnerLink, WatermarkKind

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

    def by_kind(self, kind: str) -> PartnerLink:
        for link in self.links:
            if link.kind.value == kind:
                return link
        raise NotFoundError(f"未登记{_kind_label(kind)}的协同系统（共享交换登记表中没有该部门）")

    def by_client(self, client_id: str) -> PartnerLink | None:
        return next((link for link in self.links if link.client_id == client_id), None)


EMPTY_REGISTRY = Registry(DEFAULT_CLIENT_ID, ())


def _kind_label(kind: str) -> str:
    try:
        return DepartmentKind(kind).label
    except ValueError:
        return kind


def parse_registry(document: Any) -> Registry:
    """Validate a registry document; raises :class:`InvalidInputError` naming the fault."""
    if not isinstance(document, dict) or not isinstance(document.get("partners"), list):
        raise InvalidInputError("共享交换登记表格式错误：应为含 partners 列表的 JSON 对象")
    our = document.get("our_client_id", DEFAULT_CLIENT_ID)
    if not isinstance(our, str) or not our:
        raise InvalidInputError("共享交换登记表中 our_client_id 应为非空字符串")
    entries = document["partners"]
    links = tuple(_link(entry, index) for index, entry in enumerate(entries, 1))
    clients = [link.client_id for link in links]
    if len(set(clients)) != len(clients):
        raise InvalidInputError("共享交换登记表中有重复的 client_id")
    feeds = tuple(
        _feed(link.department, feed)
        for link, entry in zip(links, entries, strict=True)
        for feed in entry.get("feeds", [])
    )
    inbox = document.get("inbox", "")
    if not isinstance(inbox, str):
        raise InvalidInputError("共享交换登记表中 inbox 应为目录路径字符串")
    return Registry(our, links, feeds, inbox)


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


def _link(entry: Any, index: int) -> PartnerLink:
    where = f"共享交换登记表第{index}个部门"
    if not isinstance(entry, dict):
        raise InvalidInputError(f"{where}应为 JSON 对象")
    fields = {name: entry.get(name) for name in ("department", "kind", "client_id", "base_url")}
    missing = [name for name, value in fields.items() if not isinstance(value, str) or not value]
    if missing:
        raise InvalidInputError(f"{where}缺少字段：{'、'.join(missing)}")
    try:
        kind = DepartmentKind(entry["kind"])
        key = bytes.fromhex(str(entry.get("key", "")))
    except ValueError:
        raise InvalidInputError(f"{where}的 kind 或 key 无效（key 应为十六进制）") from None
    if len(key) < 16:
        raise InvalidInputError(f"{where}的密钥过短：至少16字节（32个十六进制字符）")
    return PartnerLink(
        department=entry["department"],
        kind=kind,
        client_id=entry["client_id"],
        base_url=entry["base_url"].rstrip("/"),
        key=key,
    )


class RegistryFile:
    """The registry file, re-read whenever its modification time changes. Also the key ring
    the signature check uses (``exchange.signing.KeyRing``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
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
                self._registry = parse_registry(json.loads(self.path.read_text("utf-8")))
                self._stamp = stamp
            return self._registry

    def verification_keys(self, client_id: str) -> Sequence[bytes]:
        link = self.current().by_client(client_id)
        return (link.key,) if link else ()


class StaticRegistry:
    """A registry held in memory (tests, and deployments that configure partners in code)."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def current(self) -> Registry:
        return self._registry

    def verification_keys(self, client_id: str) -> Sequence[bytes]:
        link = self._registry.by_client(client_id)
        return (link.key,) if link else ()
