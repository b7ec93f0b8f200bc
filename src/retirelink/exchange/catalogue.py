"""Load the sharing catalogue from YAML and decide access requests against it.

Layout: ``catalogue_data/<department>/<item>.yaml``, one file per data item; the item code
is ``<department>.<item>`` (e.g. ``public_security.death_cancellation``). Files are validated
on load — an unknown department, sharing class, frequency, purpose, role or field kind, no
fields, a missing legal basis or an unknown key is an error naming the file, never a default.

``decide_access`` is pure: it only reads the catalogue. Recording the decision (and the
refusal) in the ledger is the caller's job.
"""

from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from retirelink.archives.model import DepartmentKind
from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.model import (
    AccessDecision,
    AccessRequest,
    CatalogueItem,
    FieldKind,
    FieldSpec,
    Purpose,
    SharingClass,
    UpdateFrequency,
    purpose_label,
)
from retirelink.security.model import Role

CATALOGUE_DIR = Path(__file__).parent / "catalogue_data"
E = TypeVar("E", bound=StrEnum)

_ITEM_KEYS = frozenset(
    {
        "name",
        "description",
        "sharing_class",
        "legal_basis",
        "update_frequency",
        "purposes",
        "requesters",
        "roles",
        "fields",
    }
)
_FIELD_KEYS = frozenset({"name", "label", "kind", "code_table"})


class CatalogueFileError(InvalidInputError):
    """A catalogue file breaks the schema; the message names the file."""


class Catalogue:
    """All shared data items, by code and by owning department."""

    def __init__(self, items: Iterable[CatalogueItem]) -> None:
        self._items = {item.code: item for item in items}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[CatalogueItem]:
        return iter(self._items.values())

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def item(self, code: str) -> CatalogueItem:
        found = self._items.get(code)
        if found is None:
            raise NotFoundError(f"共享目录中没有数据项“{code}”", field="item_code")
        return found

    def items_of(self, department: DepartmentKind) -> tuple[CatalogueItem, ...]:
        return tuple(item for item in self if item.department == department)


def decide_access(catalogue: Catalogue, request: AccessRequest) -> AccessDecision:
    """Allow or refuse a request by the item's sharing class, purposes, departments and roles."""
    if request.item_code not in catalogue:
        return AccessDecision(
            False, f"拒绝：共享目录中没有数据项“{request.item_code}”，不得申请目录外数据", ""
        )
    item = catalogue.item(request.item_code)
    refusal = _refusal(item, request)
    if refusal is not None:
        return AccessDecision(False, f"拒绝：{item.title}{refusal}", item.legal_basis)
    return AccessDecision(
        True,
        f"准予：{item.title}为{item.sharing_class.label}，"
        f"{request.requester_department.label}可用于{purpose_label(request.purpose)}",
        item.legal_basis,
    )


def _refusal(item: CatalogueItem, request: AccessRequest) -> str | None:
    if item.sharing_class is SharingClass.NOT_SHARED:
        return "属于不予共享数据，任何部门均不得申请"
    if request.purpose not in item.purposes:
        listed = "、".join(sorted(purpose.label for purpose in item.purposes))
        return f"不可用于{purpose_label(request.purpose)}（目录登记用途：{listed}）"
    if item.sharing_class is SharingClass.UNCONDITIONAL:
        return None
    if request.requester_department not in item.requesters:
        listed = "、".join(sorted(department.label for department in item.requesters))
        return (
            f"为有条件共享，{request.requester_department.label}不在可申请部门之列"
            f"（可申请部门：{listed}）"
        )
    if request.role not in item.roles:
        listed = "、".join(sorted(role.label for role in item.roles))
        return f"为有条件共享，角色“{request.role.label}”无权申请（可申请角色：{listed}）"
    return None


def load_catalogue(root: Path = CATALOGUE_DIR) -> Catalogue:
    """Read and validate every ``*.yaml`` under ``root``."""
    items = [load_item_file(path, root) for path in sorted(root.rglob("*.yaml"))]
    if not items:
        raise CatalogueFileError(f"共享目录{root}中没有数据项文件", field="catalogue")
    return Catalogue(items)


def load_item_file(path: Path, root: Path) -> CatalogueItem:
    relative = path.relative_to(root)
    where = relative.as_posix()
    if len(relative.parts) != 2:
        raise CatalogueFileError(f"共享目录文件{where}应放在 <部门>/ 目录下", field=where)
    department = _enum(DepartmentKind, relative.parts[0], where, "部门")
    document = _read_yaml(path, where)
    unknown = sorted(str(key) for key in document if key not in _ITEM_KEYS)
    if unknown:
        raise CatalogueFileError(f"共享目录文件{where}含未知键：{'、'.join(unknown)}", field=where)
    sharing_class = _enum(SharingClass, document.get("sharing_class"), where, "共享类型")
    item = CatalogueItem(
        code=f"{department.value}.{path.stem}",
        department=department,
        name=_required(document, "name", where),
        description=str(document.get("description") or "").strip(),
        fields=_fields(document.get("fields"), where),
        sharing_class=sharing_class,
        legal_basis=_required(document, "legal_basis", where),
        update_frequency=_enum(
            UpdateFrequency, document.get("update_frequency"), where, "更新频率"
        ),
        purposes=_enum_set(Purpose, document.get("purposes"), where, "用途"),
        requesters=_enum_set(DepartmentKind, document.get("requesters"), where, "请求部门"),
        roles=_enum_set(Role, document.get("roles"), where, "角色"),
    )
    _check_conditions(item, where)
    return item


def _check_conditions(item: CatalogueItem, where: str) -> None:
    """Each sharing class has its own shape of conditions."""
    shared = item.sharing_class is not SharingClass.NOT_SHARED
    if shared and not item.purposes:
        raise CatalogueFileError(f"共享目录文件{where}缺少用途（purposes）", field=where)
    if item.sharing_class is SharingClass.CONDITIONAL:
        if not item.requesters or not item.roles:
            raise CatalogueFileError(
                f"共享目录文件{where}为有条件共享，须列明可申请部门（requesters）和角色（roles）",
                field=where,
            )
    elif item.requesters or item.roles:
        raise CatalogueFileError(
            f"共享目录文件{where}为{item.sharing_class.label}，不应限定部门或角色",
            field=where,
        )


def _read_yaml(path: Path, where: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CatalogueFileError(
            f"共享目录文件{where}不是有效的 YAML：{error}", field=where
        ) from None
    if not isinstance(document, dict):
        raise CatalogueFileError(f"共享目录文件{where}应为键值结构", field=where)
    return document


def _required(document: Mapping[str, Any], key: str, where: str) -> str:
    value = document.get(key)
    if value is None or not str(value).strip():
        raise CatalogueFileError(f"共享目录文件{where}缺少“{key}”", field=where)
    return str(value).strip()


def _enum(kind: type[E], raw: object, where: str, what: str) -> E:
    try:
        return kind(str(raw))
    except ValueError:
        allowed = "、".join(member.value for member in kind)
        raise CatalogueFileError(
            f"共享目录文件{where}中的{what}“{raw}”无效（可选：{allowed}）", field=where
        ) from None


def _enum_set(kind: type[E], raw: object, where: str, what: str) -> frozenset[E]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise CatalogueFileError(f"共享目录文件{where}中的{what}应为列表", field=where)
    return frozenset(_enum(kind, entry, where, what) for entry in raw)


def _fields(raw: object, where: str) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, list) or not raw:
        raise CatalogueFileError(f"共享目录文件{where}缺少字段（fields）", field=where)
    fields = tuple(_field(entry, where) for entry in raw)
    names = [spec.name for spec in fields]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CatalogueFileError(
            f"共享目录文件{where}中字段重复：{'、'.join(duplicates)}", field=where
        )
    return fields


def _field(entry: object, where: str) -> FieldSpec:
    if not isinstance(entry, dict):
        raise CatalogueFileError(f"共享目录文件{where}中的字段应为键值结构", field=where)
    name = _required(entry, "name", where)
    if not isinstance(entry["name"], str):
        # YAML 1.1 reads a bare on/off/yes/no as a boolean: `name: on` would become "True".
        raise CatalogueFileError(
            f"共享目录文件{where}中字段名“{name}”应为文本（on、off、yes、no 等须加引号）",
            field=where,
        )
    at = f"{where}中字段“{name}”"
    unknown = sorted(str(key) for key in entry if key not in _FIELD_KEYS)
    if unknown:
        raise CatalogueFileError(f"共享目录文件{at}含未知键：{'、'.join(unknown)}", field=where)
    kind = _enum(FieldKind, entry.get("kind"), at, "类型")
    code_table = str(entry.get("code_table") or "").strip() or None
    if kind is FieldKind.CODE and code_table is None:
        raise CatalogueFileError(f"共享目录文件{at}为代码类型，须注明代码表", field=where)
    return FieldSpec(
        name=name, label=_required(entry, "label", at), kind=kind, code_table=code_table
    )
