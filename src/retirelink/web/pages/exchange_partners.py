"""数据共享: the sharing catalogue (共享目录) and the partner systems (协同部门) with their
health and feeds. Neither shows personal data, so neither read is ledgered."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retirelink.archives.model import DepartmentKind
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.model import CatalogueItem, Purpose, SharingClass
from retirelink.exchange.overview import partner_statuses
from retirelink.security.model import Role
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

_SHARING_TAGS = {
    SharingClass.UNCONDITIONAL: "ok",
    SharingClass.CONDITIONAL: "",
    SharingClass.NOT_SHARED: "warn",
}


@dataclass(frozen=True)
class ItemView:
    """A catalogue item with its sets in a stable, readable order (enum order, not hash order)."""

    item: CatalogueItem
    tag: str
    purposes: list[str]
    requesters: list[str]
    roles: list[str]


@router.get("/exchange/catalogue")
def exchange_catalogue(request: Request, _actor: CurrentActor, services: ServicesDep) -> Response:
    # The catalogue is published to every government department (国发〔2016〕51号), so any
    # signed-in user may read it; what it allows is enforced where data is exchanged.
    return render(
        request,
        "exchange/catalogue.html",
        {"tab": "catalogue", "groups": catalogue_groups(services.catalogue)},
    )


def catalogue_groups(catalogue: Catalogue) -> list[tuple[DepartmentKind, list[ItemView]]]:
    """Items grouped by owning department, departments in their usual order."""
    groups = []
    for department in DepartmentKind:
        items = [_view(item) for item in catalogue.items_of(department)]
        if items:
            groups.append((department, items))
    return groups


def _view(item: CatalogueItem) -> ItemView:
    return ItemView(
        item=item,
        tag=_SHARING_TAGS[item.sharing_class],
        purposes=[p.label for p in Purpose if p in item.purposes],
        requesters=[d.label for d in DepartmentKind if d in item.requesters],
        roles=[r.label for r in Role if r in item.roles],
    )


@router.get("/exchange/partners")
def exchange_partners(
    request: Request, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> Response:
    statuses = partner_statuses(uow, actor=actor, registry=services.partners.current())
    return render(request, "exchange/partners.html", {"tab": "partners", "partners": statuses})
