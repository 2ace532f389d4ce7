"""deploy/nginx, the proxy configuration docs/deploy.md ships: its rate limits are huiqi's
own defaults, every file it includes is there, and nginx accepts it (where nginx is
installed; the benchmark `bench/anonymous_load.py --proxy nginx` runs it for real)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from huiqi.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NGINX = ROOT / "deploy" / "nginx"


def test_the_proxys_limits_are_huiqis_defaults() -> None:
    limits = (NGINX / "huiqi-limits.conf").read_text(encoding="utf-8")
    zones = {m[0]: (int(m[1]), m[2]) for m in re.findall(
        r"limit_req_zone \S+\s+zone=huiqi_(\w+):\S+\s+rate=(\d+)r/(m|s);\s+#\s*(\S+)", limits)}
    fields = Settings.model_fields
    setting = {"anonymous": "rate_limit_anonymous_per_minute",
               "sign_in": "rate_limit_login_per_minute",
               "calculator": "rate_limit_calculator_per_minute"}
    assert set(zones) == set(setting)
    for zone, (rate, unit) in zones.items():
        assert unit == "m" and rate == fields[setting[zone]].default, zone
        assert f"HUIQI_{setting[zone].upper()}" in limits


def test_every_included_file_is_shipped_and_every_zone_is_used() -> None:
    text = {f.name: f.read_text(encoding="utf-8") for f in NGINX.glob("*.conf")}
    included = {m for t in text.values() for m in re.findall(r"include (\S+);", t)}
    assert included <= set(text)
    zones = set(re.findall(r"zone=(huiqi_\w+):", text["huiqi-limits.conf"]))
    used = set(re.findall(r"limit_req zone=(huiqi_\w+)", text["huiqi-locations.conf"]))
    assert zones == used
    assert "docs/deploy.md" not in text  # the docs point at the files, not the other way
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert all(f"deploy/nginx/{name}" in deploy for name in text)


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed (apt-get install -y nginx-light)")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    for f in NGINX.glob("*.conf"):
        shutil.copy(f, tmp_path / f.name)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
                    "events {}\nhttp {\ninclude huiqi-limits.conf;\n"
                    "server { listen 127.0.0.1:1; include huiqi-locations.conf; }\n}\n",
                    encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
