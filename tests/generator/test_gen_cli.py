"""``huiqi generate`` on the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.facts.io import load_enterprises

runner = CliRunner()


def test_generate_writes_a_file_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "demo.yaml"
    result = runner.invoke(app, ["generate", "--enterprises", "5", "--seed", "4", "--out", str(out),
                                 "--as-of", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert "已生成 5 家企业" in result.output
    assert len(load_enterprises(out)) == 5


def test_generate_in_english_to_parquet(tmp_path: Path) -> None:
    out = tmp_path / "park.parquet"
    result = runner.invoke(app, ["generate", "-n", "300", "-o", str(out), "--as-of", "2026-03-01",
                                 "--batch-size", "100", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "generated 300 enterprises" in result.output and out.exists()


def test_a_bad_request_is_an_error_message_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "-n", "5", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "不支持的输出格式" in result.output
    result = runner.invoke(app, ["generate", "-n", "5", "-o", str(tmp_path / "x.yaml"), "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_help_is_bilingual() -> None:
    result = runner.invoke(app, ["generate", "--help"])
    assert result.exit_code == 0
    assert "统一社会信用代码" in result.output and "credit codes" in result.output


def test_a_file_that_cannot_be_written_is_an_error_message(tmp_path: Path) -> None:
    (tmp_path / "taken.parquet").mkdir()
    result = runner.invoke(app, ["generate", "-n", "5", "-o", str(tmp_path / "taken.parquet"),
                                 "--as-of", "2026-03-01"])
    assert result.exit_code == 2, result.output
    assert "无法写入" in result.output
