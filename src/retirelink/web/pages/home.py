from fastapi import APIRouter, Request
from fastapi.responses import Response

from retirelink.web.deps import CurrentActor
from retirelink.web.navigation import modules_for
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, actor: CurrentActor) -> Response:
    return render(request, "home.html", {"modules": modules_for(actor)})
