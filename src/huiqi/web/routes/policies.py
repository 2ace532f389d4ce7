"""Policies in the staff console: the packs and their versions, a version's files, a
policy's text beside its rules (citations linked), checking a draft with every problem
shown where it is, editing a file into a new draft, publishing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Response, UploadFile
from fastapi.responses import RedirectResponse

from huiqi.api.routes.params import IdPath, NumberPath, PackPath
from huiqi.errors import Conflict, InputError, PackError, TooLarge
from huiqi.packs.files import Limits, read_uploads
from huiqi.service import policies
from huiqi.service.permissions import Permission
from huiqi.text import Text

from ..citations import policy_text
from ..pages import Page, PageDep, Pages

router = Pages()
uploads = Pages()  # included with the body limit of uploads (HUIQI_UPLOAD_MAX_MB)
READ, WRITE, PUBLISH = Permission.POLICY_READ, Permission.POLICY_WRITE, Permission.POLICY_PUBLISH
DRAFTS = Permission.POLICY_DRAFT_READ  # a draft's pages: staff roles only


def _problems(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for pr in items:
        d = pr.model_dump() if hasattr(pr, "model_dump") else pr.as_dict()
        out.append(d)
    return out


@router.page("GET", "/staff/policies", READ)
def packs(p: PageDep) -> Response:
    return p.render("policies.html", packs=policies.list_packs(p.ctx), error=None)


@uploads.page("POST", "/staff/policies", WRITE)
def upload(p: PageDep, pack: Annotated[str, Form(max_length=64)],
           files: Annotated[list[UploadFile], File()],
           note: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        read = read_uploads([(up.filename or "", up.file) for up in files],
                            Limits.of(p.platform.settings))
        v = policies.upload(p.ctx, pack.strip(), read, note or None)
    except InputError as exc:
        return p.render("policies.html", status=413 if isinstance(exc, TooLarge) else 422,
                        packs=policies.list_packs(p.ctx), error=exc)
    return RedirectResponse(f"/staff/policies/{v.pack}/{v.number}", status_code=303)


def _version_page(p: Page, pack: str, number: int, status: int = 200, **values: Any
                  ) -> Response:
    v = policies.get_version(p.ctx, pack, number)
    loaded = None
    if v.status == "published":
        loaded = policies.pack_of(p.ctx, pack)
    values.setdefault("problems", None)
    values.setdefault("checked", None)
    values.setdefault("notice", None)
    return p.render("version.html", status=status, v=v, pack=pack, loaded=loaded, **values)


@router.page("GET", "/staff/policies/{pack}/{number}", READ, drafts=DRAFTS)
def version(p: PageDep, pack: PackPath, number: NumberPath, published: bool = False
            ) -> Response:
    notice = p.t("已发布。", "Published.") if published else None
    return _version_page(p, pack, number, notice=notice)


@router.page("POST", "/staff/policies/{pack}/{number}/check", WRITE)
def check(p: PageDep, pack: PackPath, number: NumberPath) -> Response:
    result = policies.check(p.ctx, pack, number)
    return _version_page(p, pack, number, status=200 if result.ok else 422,
                         problems=_problems(result.problems), checked=result)


def _diff_page(p: Page, pack: str, number: int, status: int = 200, error: Any = None
               ) -> Response:
    v = policies.get_version(p.ctx, pack, number)
    d = policies.diff(p.ctx, pack, number)
    own = p.actor is not None and v.created_by == p.actor.username
    return p.render("diff.html", status=status, v=v, pack=pack, d=d, own=own, error=error,
                    changed=[f for f in d.files if f.change != "same"],
                    same=[f for f in d.files if f.change == "same"])


@router.page("GET", "/staff/policies/{pack}/{number}/diff", READ, drafts=DRAFTS)
def diff(p: PageDep, pack: PackPath, number: NumberPath) -> Response:
    """The version against the published one (rules and texts, line by line); a draft is
    published from here, by someone other than its author (four eyes)."""
    return _diff_page(p, pack, number)


@router.page("POST", "/staff/policies/{pack}/{number}/publish", PUBLISH)
def publish(p: PageDep, pack: PackPath, number: NumberPath,
            reviewed: Annotated[str, Form(max_length=64)] = "") -> Response:
    try:
        policies.publish(p.ctx, pack, number, reviewed or None)
    except PackError as exc:
        return _version_page(p, pack, number, status=422, problems=_problems(exc.problems),
                             error=exc)
    except Conflict as exc:
        return _diff_page(p, pack, number, status=409, error=exc)
    return RedirectResponse(f"/staff/policies/{pack}/{number}?published=1", status_code=303)


def _file(p: Page, pack: str, number: int, path: str) -> tuple[Any, str]:
    v = policies.get_version(p.ctx, pack, number)
    found = dict(policies.files(p.ctx, pack, number))
    if path not in found:
        from huiqi.errors import NotFoundError

        raise NotFoundError(Text("文件", "file"), path)
    return v, found[path].decode("utf-8", "replace")


@router.page("GET", "/staff/policies/{pack}/{number}/files/{path:path}", READ, drafts=DRAFTS)
def file(p: PageDep, pack: PackPath, number: NumberPath, path: str) -> Response:
    v, text = _file(p, pack, number, path)
    problems: list[dict[str, Any]] = []
    if v.status == "draft" and p.may(WRITE):
        problems = [pr for pr in _problems(policies.check(p.ctx, pack, number).problems)
                    if pr.get("file") in (path, None)]
    by_line: dict[int, list[dict[str, Any]]] = {}
    for pr in problems:
        by_line.setdefault(int(pr.get("line") or 1), []).append(pr)
    return p.render("file.html", v=v, pack=pack, path=path, lines=text.splitlines(),
                    text=text, by_line=by_line, problems=problems)


@uploads.page("POST", "/staff/policies/{pack}/{number}/files/{path:path}", WRITE)
def save_file(p: PageDep, pack: PackPath, number: NumberPath, path: str,
              content: Annotated[str, Form(max_length=2_000_000)]) -> Response:
    """Save an edited file as a new draft (the other files as they are in ``number``)."""
    files = dict(policies.files(p.ctx, pack, number))
    if path not in files:
        from huiqi.errors import NotFoundError

        raise NotFoundError(Text("文件", "file"), path)
    files[path] = content.replace("\r\n", "\n").encode("utf-8")
    v = policies.upload(p.ctx, pack, sorted(files.items()),
                        f"{path} edited from #{number}")
    return RedirectResponse(f"/staff/policies/{pack}/{v.number}", status_code=303)


@router.page("GET", "/staff/policies/{pack}/{number}/text/{policy}", READ, drafts=DRAFTS)
def text(p: PageDep, pack: PackPath, number: NumberPath, policy: IdPath) -> Response:
    v = policies.get_version(p.ctx, pack, number)
    loaded = policies.pack_of(p.ctx, pack, number)
    pol = loaded.policy(policy)
    if pol is None:
        from huiqi.errors import NotFoundError

        raise NotFoundError(Text("政策", "policy"), policy)
    cites = [pol.cite]
    for prm in pol.params.values():
        cites.append(prm.cite)
    for tb in pol.tables.values():
        cites.append(tb.cite)
    from ..citations import citations_of

    for c in pol.clauses:
        cites.extend(citations_of(c))
    return p.render("policy_text.html", v=v, pack=pack, pol=pol, text=policy_text(pol, cites))
