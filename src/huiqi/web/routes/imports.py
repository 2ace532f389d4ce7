"""Imports in the staff console: upload a CSV or Excel file (all or nothing) and see its
report — or, for a file with bad rows, the validation report of every row and column."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import File, Query, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse

from huiqi.api.routes.params import Offset
from huiqi.errors import DataError, InputError
from huiqi.service import imports
from huiqi.service.permissions import Permission

from .. import sheets
from ..pages import Page, PageDep, Pages

router = Pages()
uploads = Pages()  # included with the body limit of uploads (HUIQI_UPLOAD_MAX_MB)
PAGE = 25


def _listing(p: Page, status: int = 200, **values: Any) -> Response:
    from huiqi.registry.columns import fact_sets
    from huiqi.service.catalogue import platform_catalogue

    values.setdefault("found", imports.list_imports(p.ctx, 0, PAGE))
    for k in ("error", "problems", "file"):
        values.setdefault(k, None)
    return p.render("imports.html", status=status, page=PAGE,
                    sets=fact_sets(platform_catalogue(p.ctx)), year=p.platform.today().year - 1,
                    **values)


@router.page("GET", "/staff/imports", Permission.IMPORT_READ)
def listing(p: PageDep, offset: Offset = 0) -> Response:
    return _listing(p, found=imports.list_imports(p.ctx, offset, PAGE))


@router.page("GET", "/staff/imports/template/{fact_set}", Permission.IMPORT_READ)
def template(p: PageDep, fact_set: Annotated[str, PathParam(pattern="^[a-z_]{1,40}$")],
             format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
             year: Annotated[int | None, Query(ge=1990, le=2100)] = None) -> Response:
    """An empty import file for one set of facts (those of one usual source): a header row
    of ``中文名(id)`` columns, which the import reads as they are."""
    from huiqi.registry.columns import template_header
    from huiqi.service.catalogue import platform_catalogue

    y = year or p.platform.today().year - 1
    header = template_header(platform_catalogue(p.ctx), fact_set, y)
    name = f"huiqi-{fact_set}-{y}.{format}"
    if format == "csv":
        body, media = sheets.csv_bytes(header, []), "text/csv; charset=utf-8"
    else:
        body = sheets.xlsx(p.t("导入模板", "Template"), header, [],
                           widths=[24] + [18] * (len(header) - 1))
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@uploads.page("POST", "/staff/imports", Permission.IMPORT_RUN)
def upload(p: PageDep, file: Annotated[UploadFile, File()]) -> Response:
    name = PurePath((file.filename or "upload").replace("\\", "/")).name[:200] or "upload"
    name = name.replace("\x00", "")
    try:
        with tempfile.TemporaryDirectory(prefix="huiqi-import-") as tmp:
            path = Path(tmp) / ("upload" + PurePath(name).suffix.lower())
            with path.open("wb") as out:
                shutil.copyfileobj(file.file, out, 1 << 20)
            report = imports.run(p.ctx, path, display=name)
    except InputError as exc:
        problems = [pr.as_dict() for pr in exc.problems] if isinstance(exc, DataError) else []
        return _listing(p, status=422, error=exc, problems=problems, file=name)
    if report.id is None:
        return p.render("import.html", report=report, unchanged=True)
    return RedirectResponse(f"/staff/imports/{report.id}?new=1", status_code=303)


@router.page("GET", "/staff/imports/{batch_id}", Permission.IMPORT_READ)
def report(p: PageDep, batch_id: Annotated[int, PathParam(ge=1, le=2**53)],
           new: bool = False) -> Response:
    return p.render("import.html", report=imports.get(p.ctx, batch_id), unchanged=False,
                    new=new)
