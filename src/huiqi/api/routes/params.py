"""Parameters shared by several routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from huiqi.service import schemas

CodePath = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{18}$",
                               description="统一社会信用代码 / unified social credit code")]
PackPath = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$",
                               description="政策包标识 / pack id")]
IdPath = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
NumberPath = Annotated[int, Path(ge=1, le=1_000_000_000, description="版本号 / version number")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]
Filter = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]
Day = Annotated[schemas.Day | None, Query(
    description="日期 YYYY-MM-DD,1900-01-01 至 2200-12-31 / a day, YYYY-MM-DD, from 1900-01-01 "
                "to 2200-12-31")]
Lang = Annotated[str | None, Query(pattern="^(zh|en)$",
                                   description="回应语言 / response language")]
