"""The third-party files shipped in static/ are the ones the NOTICE names, unchanged: each
file's SHA-256 is the one written beside its name."""

from __future__ import annotations

import hashlib
import re
from importlib import resources


def test_every_shipped_library_has_the_checksum_its_notice_gives() -> None:
    static = resources.files("huiqi.web").joinpath("static")
    notice = static.joinpath("NOTICE").read_text(encoding="utf-8")
    named = re.findall(r"^(\S+\.js)\n(?:  .*\n)*?  sha256 ([0-9a-f]{64})$", notice, re.M)
    assert {name for name, _ in named} >= {"htmx.min.js", "echarts.common.min.js",
                                           "echarts.min.js"}
    for name, digest in named:
        assert hashlib.sha256(static.joinpath(name).read_bytes()).hexdigest() == digest, name
    shipped = {f.name for f in static.iterdir() if f.name.endswith(".min.js")}
    assert shipped == {name for name, _ in named}  # no library without its notice
