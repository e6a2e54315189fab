"""Features only a real Cumulocity gives: DataHub, the data broker, cloud remote access and any other
microservice under ``/service/<name>``. The local tenant answers as Cumulocity does for a microservice
the tenant is not subscribed to: 404 with Cumulocity's error body."""

from __future__ import annotations

from aiohttp import web

from c8ylink.tenant.state.errors import not_found

routes = web.RouteTableDef()
NOT_AVAILABLE = ("datahub", "remoteaccess", "databroker")


def _missing(name: str) -> Exception:
    return not_found(
        "microservice",
        f"Microservice/application with name '{name}' is not subscribed to this tenant "
        "(the local tenant does not provide it)",
    )


@routes.route("*", "/service/{name}")
@routes.route("*", "/service/{name}/{tail:.*}")
async def microservice(request: web.Request) -> web.StreamResponse:
    raise _missing(request.match_info["name"])


@routes.route("*", "/databroker/{tail:.*}")
async def databroker(request: web.Request) -> web.StreamResponse:
    raise _missing("databroker")
