"""Near-misses and simulations, answered by the population engine."""

from __future__ import annotations

from fastapi import APIRouter

from huiqi.service import population
from huiqi.service.permissions import Permission
from huiqi.service.schemas import NearMissPublic, Page, SimulationCreate, SimulationPublic

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses
from .params import Day, IdPath, Limit, Offset, PackPath

router = APIRouter(route_class=Guarded, tags=["population 全园区"], responses=responses(401, 403, 404, 409, 422))


@router.get("/policies/{pack}/clauses/{policy}/{clause}/near-misses",
            openapi_extra=rule(Permission.RESULT_READ), response_model=Page[NearMissPublic])
def near_misses(pack: PackPath, policy: IdPath, clause: IdPath, ctx: ContextDep,
                as_of: Day = None, offset: Offset = 0, limit: Limit = 50) -> Page[NearMissPublic]:
    """差一个条件即可符合的主体,差距最小者在前 / Entities one condition short, closest first."""
    return population.near_misses(ctx, pack, f"{policy}/{clause}", as_of=as_of, offset=offset,
                                  limit=limit)


@router.post("/simulations", openapi_extra=rule(Permission.SIMULATION_RUN),
             response_model=SimulationPublic)
def simulate(body: SimulationCreate, ctx: ContextDep) -> SimulationPublic:
    """测算一个版本(草稿亦可)对全园区的资金与受益面 / Simulate a version's cost over the park."""
    return population.simulate(ctx, body.pack, body.number, body.as_of)
