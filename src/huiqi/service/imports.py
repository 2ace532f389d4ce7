"""Imports of entities and yearly facts from CSV or Excel, as a service: who may run them,
the audit entry of each applied file, the stored reports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.errors import NotFoundError
from huiqi.registry.columns import Mapping
from huiqi.registry.imports import ImportReport, Progress, import_file
from huiqi.registry.sheets import Limits
from huiqi.store.models import ImportBatch
from huiqi.text import Text

from .audit import record
from .catalogue import platform_catalogue
from .context import Context, requires
from .permissions import Permission
from .schemas import ImportPublic, Page


def public(report: ImportReport, batch: ImportBatch | None = None) -> ImportPublic:
    return ImportPublic(id=report.batch_id, file=report.file, format=report.format,
                        sha256=report.sha256, source=report.source, rows=report.rows,
                        entities_created=report.entities_created,
                        entities_updated=report.entities_updated,
                        entities_unchanged=report.entities_unchanged,
                        facts_written=report.facts_written,
                        locations_changed=report.locations_changed, columns=report.columns,
                        imported_at=batch.imported_at if batch else None,
                        imported_by=batch.imported_by if batch else None,
                        changed=report.changed)


@requires(Permission.IMPORT_RUN)
def run(ctx: Context, path: Path, *, display: str | None = None, mapping: Mapping | None = None,
        progress: Progress | None = None) -> ImportPublic:
    """Check then apply one file (all or nothing); raises DataError with the report."""
    at = ctx.now()

    def audit(s: Session, report: ImportReport) -> None:
        record(s, ctx, "import", target=f"import #{report.batch_id}", after={
            k: v for k, v in report.as_dict().items() if k != "columns"})

    report = import_file(ctx.db, platform_catalogue(ctx), path, by=ctx.actor.username, at=at,
                         display=display, mapping=mapping,
                         batch_rows=ctx.settings.import_batch_rows,
                         max_problems=ctx.settings.import_max_problems, progress=progress,
                         audit=audit, limits=Limits.of(ctx.settings),
                         lock_after=ctx.settings.import_lock_after_rows)
    if report.batch_id is None:
        return public(report)
    with ctx.db.read() as s:
        return public(report, s.get(ImportBatch, report.batch_id))


def _from_batch(b: ImportBatch) -> ImportPublic:
    r = dict(b.report or {})
    report = ImportReport(file=b.file_name, format=b.format, sha256=b.sha256, rows=b.rows,
                          batch_id=b.id, source=b.source)
    for k in ("entities_created", "entities_updated", "entities_unchanged", "facts_written",
              "locations_changed"):
        setattr(report, k, int(r.get(k, 0)))
    report.columns = list(r.get("columns", []))
    return public(report, b)


@requires(Permission.IMPORT_READ)
def list_imports(ctx: Context, offset: int = 0, limit: int = 50) -> Page[ImportPublic]:
    with ctx.db.read() as s:
        total = s.scalar(select(func.count(ImportBatch.id))) or 0
        rows = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())
                         .offset(offset).limit(limit))
        return Page(total=total, offset=offset, limit=limit, items=[_from_batch(b) for b in rows])


@requires(Permission.IMPORT_READ)
def get(ctx: Context, batch_id: int) -> ImportPublic:
    with ctx.db.read() as s:
        b = s.get(ImportBatch, batch_id)
        if b is None:
            raise NotFoundError(Text("导入批次", "import"), str(batch_id))
        return _from_batch(b)
