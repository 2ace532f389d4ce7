"""Parameters shared by several routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query

CodePath = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{18}$",
                               description="统一社会信用代码 / unified social credit code")]
PackPath = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$",
                               description="政策包标识 / pack id")]
IdPath = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
NumberPath = Annotated[int, Path(ge=1, le=1_000_000_000, description="版本号 / version number")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]
Filter = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]
Day = Annotated[dt.date | None, Query(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31),
                                      description="评估日期 / evaluation date")]
Lang = Annotated[str | None, Query(pattern="^(zh|en)$",
                                   description="回应语言 / response language")]
