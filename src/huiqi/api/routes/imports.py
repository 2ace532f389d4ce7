"""Imports of entities and yearly facts (CSV, Excel)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Path, Response, UploadFile

from huiqi.registry.columns import read_mapping
from huiqi.service import imports
from huiqi.service.permissions import Permission
from huiqi.service.schemas import ImportPublic, Page

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses
from .params import Limit, Offset

router = APIRouter(route_class=Guarded, prefix="/imports", tags=["imports 导入"],
                   responses=responses(401, 403, 404, 422))
#: the upload, included with the larger body limit of uploads (``HUIQI_UPLOAD_MAX_MB``)
uploads = APIRouter(route_class=Guarded, prefix="/imports", tags=["imports 导入"],
                    responses=responses(401, 403, 404, 413, 422))
READ = rule(Permission.IMPORT_READ)


@uploads.post("", openapi_extra=rule(Permission.IMPORT_RUN), response_model=ImportPublic,
              status_code=201, responses={200: {"model": ImportPublic,
                                                "description": "文件未带来任何变化 / nothing changed"}})
def upload(file: Annotated[UploadFile, File(description="CSV 或 .xlsx")], ctx: ContextDep,
           response: Response,
           mapping: Annotated[UploadFile | None, File(description="列映射 YAML")] = None
           ) -> ImportPublic:
    """上传并导入(全部或全不)/ Upload and import a file, all or nothing."""
    name = PurePath((file.filename or "upload").replace("\\", "/")).name[:200] or "upload"
    name = name.replace("\x00", "")
    mp = None
    if mapping is not None:
        mp = read_mapping(None, mapping.file.read(1_000_000).decode("utf-8", "replace"),
                          mapping.filename or "mapping")
    with tempfile.TemporaryDirectory(prefix="huiqi-import-") as tmp:
        path = FilePath(tmp) / ("upload" + PurePath(name).suffix.lower())
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        report = imports.run(ctx, path, display=name, mapping=mp)
    if not report.changed:
        response.status_code = 200
    return report


@router.get("", openapi_extra=READ, response_model=Page[ImportPublic])
def list_imports(ctx: ContextDep, offset: Offset = 0, limit: Limit = 50) -> Page[ImportPublic]:
    """已导入的文件 / Imports applied."""
    return imports.list_imports(ctx, offset, limit)


@router.get("/{batch_id}", openapi_extra=READ, response_model=ImportPublic)
def get_import(batch_id: Annotated[int, Path(ge=1, le=2**53)], ctx: ContextDep) -> ImportPublic:
    """一次导入的报告 / The report of one import."""
    return imports.get(ctx, batch_id)
