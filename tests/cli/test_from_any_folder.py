"""init-demo and the sample reforms work from any folder (issue 16, item 7): the packs and
examples that come with huiqi are found in the checkout when the current folder has none."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiqi.settings import CHECKOUT, Settings, shipped
from huiqi.web.routes.simulation import samples


def test_policies_and_samples_are_found_from_another_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HUIQI_POLICIES", raising=False)
    assert Settings().policies == CHECKOUT / "policies"
    assert (Settings().policies / "seed" / "pack.yaml").is_file()
    assert "xm-voucher-raise.yaml" in samples()
    (tmp_path / "policies").mkdir()  # a folder of one's own is preferred
    assert Settings().policies == Path("policies")
    assert shipped(Path("nowhere")) == Path("nowhere")


def test_a_wheel_install_finds_them_under_its_prefix(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from huiqi import settings

    prefix = tmp_path / "prefix"
    (prefix / "share" / "huiqi" / "policies" / "seed").mkdir(parents=True)
    monkeypatch.setattr(settings, "CHECKOUT", tmp_path / "no-checkout")
    monkeypatch.setattr(sys, "prefix", str(prefix))
    monkeypatch.chdir(tmp_path)
    assert shipped(Path("policies")) == prefix / "share" / "huiqi" / "policies"
