"""Imports in the staff console: upload a CSV or Excel file (all or nothing) and see its
report — or, for a file with bad rows, the validation report of every row and column."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import File, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse

from huiqi.api.routes.params import Offset
from huiqi.errors import DataError, InputError
from huiqi.service import imports
from huiqi.service.permissions import Permission

from ..pages import PageDep, Pages

router = Pages()
uploads = Pages()  # included with the body limit of uploads (HUIQI_UPLOAD_MAX_MB)
PAGE = 25


@router.page("GET", "/staff/imports", Permission.IMPORT_READ)
def listing(p: PageDep, offset: Offset = 0) -> Response:
    return p.render("imports.html", found=imports.list_imports(p.ctx, offset, PAGE), page=PAGE,
                    error=None, problems=None, file=None)


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
        return p.render("imports.html", status=422,
                        found=imports.list_imports(p.ctx, 0, PAGE), page=PAGE, error=exc,
                        problems=problems, file=name)
    if report.id is None:
        return p.render("import.html", report=report, unchanged=True)
    return RedirectResponse(f"/staff/imports/{report.id}?new=1", status_code=303)


@router.page("GET", "/staff/imports/{batch_id}", Permission.IMPORT_READ)
def report(p: PageDep, batch_id: Annotated[int, PathParam(ge=1, le=2**53)],
           new: bool = False) -> Response:
    return p.render("import.html", report=imports.get(p.ctx, batch_id), unchanged=False,
                    new=new)
