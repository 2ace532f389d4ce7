"""The public policy library (政策库): search and browse the published policies by issuer,
kind of support, industry, 文号 and whether they are in force; each policy with its
official header (issuing body, 文号, dates, validity, the official source), its text (or
a summary labelled as one), its clauses in plain words, and "does it fit my company?"
(the calculator, or the signed-in enterprise's own match)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from huiqi.api.routes.params import IdPath, PackPath
from huiqi.facts.catalogue import default_catalogue
from huiqi.service import library
from huiqi.service.enterprises import today
from huiqi.service.permissions import Role

from ..citations import citations_of, policy_text
from ..pages import PUBLIC, PageDep, Pages

router = Pages()
Filter = Annotated[str | None, Query(max_length=100)]


@router.page("GET", "/library", PUBLIC)
def browse(p: PageDep, q: Filter = None, issuer: Filter = None, kind: Filter = None,
           industry: Filter = None, state: Filter = None) -> Response:
    day = today(p.platform.system())
    items = library.entries(p.platform, day)
    found = library.search(items, q, issuer, kind, industry, state)
    issuers = sorted({p.text(e.policy.issuer) for e in items})
    industries = sorted({i for e in items for i in e.industries})
    return p.render("library.html", found=found, total=len(items), q=q or "", issuer=issuer or "",
                    kind=kind or "", industry=industry or "", state=state or "",
                    issuers=issuers, industries=industries, kinds=library.KINDS,
                    states=library.STATES, day=day)


@router.page("GET", "/library/{pack}/{policy}", PUBLIC)
def policy(p: PageDep, pack: PackPath, policy: IdPath) -> Response:
    from .. import plain

    day = today(p.platform.system())
    entry, loaded = library.find(p.platform, day, pack, policy)
    pol = entry.policy
    cites = [pol.cite, *(c for cl in pol.clauses for c in citations_of(cl))]
    text = policy_text(pol, cites)
    clauses = []
    for c in pol.clauses:
        clauses.append({"spec": c, "gives": plain.gives(c, p.lang), "cite": text.of(c.cite)})
    mine = None
    if p.actor is not None and p.actor.role is Role.ENTERPRISE and p.actor.entity_code:
        mine = f"/match/{p.actor.entity_code}"
    cat = default_catalogue()
    industry = cat.enums.get("industry")
    return p.render("library_policy.html", e=entry, pol=pol, text=text, clauses=clauses,
                    mine=mine, states=library.STATES, kinds=library.KINDS,
                    industry_label=lambda i: p.text(industry.values.get(i)) if industry and
                    i in industry.values else i, day=day, loaded=loaded)
