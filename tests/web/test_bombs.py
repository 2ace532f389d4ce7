"""The resource-exhaustion suite: small requests that would expand to gigabytes, sent to a
real server (``huiqi serve`` in a process of its own), each answered with a clear refusal
while the server's memory grows by less than 100 MB.

The growth is the server's peak resident memory (``VmHWM`` in ``/proc/<pid>/status``)
during one bomb, over its resident memory just before it: the peak is reset before each
bomb (``/proc/<pid>/clear_refs``), so that each is measured on its own. The server is
warmed up first with one small good request of each kind (modules loaded, caches made)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bombs import MIB, billion_laughs, repeated, workbook, zip_bomb
from huiqi.facts.credit_code import make
from huiqi.packs.files import read_folder
from huiqi.service import accounts
from huiqi.service.context import Platform
from huiqi.service.permissions import Role
from huiqi.settings import Settings
from huiqi.store.database import Database
from huiqi.web.pages import SESSION_COOKIE, csrf_token
from service_fixtures import PASSWORD, ROOT

pytestmark = pytest.mark.slow
GROWTH_MAX = 100 * MIB
CODE = make("9", "1", "370212", "MA3BM001")


@dataclass
class Server:
    pid: int
    url: str
    port: int
    platform: Platform
    tokens: dict[str, str]

    def status(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(field)

    def measure(self) -> _Growth:
        return _Growth(self)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


class _Growth:
    """The server's peak memory over its memory before, from now on."""

    def __init__(self, server: Server) -> None:
        self.server = server
        with contextlib.suppress(OSError):  # if not, the peak since start-up: stricter
            Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset the peak
        self.before = server.status("VmRSS")

    def __call__(self) -> int:
        return self.server.status("VmHWM") - self.before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path("/proc/self/status").exists():
        pytest.skip("needs Linux's /proc to read the server's memory")
    tmp = tmp_path_factory.mktemp("bombs")
    url = f"sqlite:///{tmp / 'bombs.db'}"
    db = Database.connect(url)
    db.upgrade()
    settings = Settings(env="development", lang="zh", password_hash_time_cost=1,
                        password_hash_memory_kib=1024, password_hash_parallelism=1)
    platform = Platform(db, settings)
    for role in (Role.ADMIN, Role.POLICY_OFFICER, Role.CASE_OFFICER):
        accounts.create(platform.system(), f"u_{role.value}", role.label.zh, role, PASSWORD)
    port = _free_port()
    huiqi = str(Path(sys.executable).with_name("huiqi"))
    proc = subprocess.Popen([huiqi, "serve", "--port", str(port), "--database", url],
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env={**os.environ, "HUIQI_ENV": "development",
                                 "HUIQI_MATCH_PRECOMPUTE": "false", "HUIQI_LANG": "zh"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        tokens = {}
        for role in ("admin", "policy_officer", "case_officer"):
            r = httpx.post(base + "/auth/login", json={"username": f"u_{role}",
                                                       "password": PASSWORD}, timeout=30)
            tokens[role] = r.json()["access_token"]
        s = Server(proc.pid, base, port, platform, tokens)
        _warm_up(s, tmp)
        yield s
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        db.dispose()


def _warm_up(s: Server, tmp: Path) -> None:
    """One small good request of each kind, so that what is loaded once is not counted."""
    language = read_folder(ROOT / "tests" / "packs" / "language")
    files = [{"path": p, "content": c.decode()} for p, c in language]
    r = httpx.post(s.url + "/policies/language/versions", headers=s.auth("admin"),
                   json={"files": files}, timeout=60)
    assert r.status_code == 201, r.text
    assert httpx.post(s.url + "/policies/language/versions/1/check", headers=s.auth("admin"),
                      timeout=60).status_code == 200
    good = workbook(tmp / "good.xlsx", CODE, shared=[b"good"])
    r = httpx.post(s.url + "/imports", headers=s.auth("admin"), timeout=60,
                   files={"file": ("good.xlsx", good.read_bytes())})
    assert r.status_code == 201, r.text
    _page_upload(s, "language", ("pack.zip", zip_bomb(entries=1, size=MIB)))


def _page_upload(s: Server, pack: str, file: tuple[str, bytes]) -> httpx.Response:
    token = s.tokens["policy_officer"]
    return httpx.post(s.url + "/staff/policies", timeout=120,
                      cookies={SESSION_COOKIE: token},
                      data={"pack": pack, "csrf": csrf_token(s.platform, token)},
                      files={"files": (file[0], file[1], "application/zip")})


def _raw(s: Server, head: bytes, body: Iterable[bytes]) -> tuple[int, bytes]:
    """Send a request as a client that keeps sending its body until the server answers
    (a reader thread takes the answer as soon as it comes); the status and the body of
    the answer."""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=60)
    got = bytearray()
    answered = threading.Event()

    def read() -> None:
        try:
            while data := sock.recv(65536):
                got.extend(data)
                if _complete(bytes(got)):
                    break
        except OSError:
            pass
        answered.set()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        sock.sendall(head)
        answered.wait(0.5)  # a refusal by the declared length comes before any of the body
        for chunk in body:
            if answered.is_set():
                break
            sock.sendall(chunk)
    except OSError:  # the server answered and closed the connection
        pass
    answered.wait(60)
    sock.close()
    reader.join(10)
    head_, _, rest = bytes(got).partition(b"\r\n\r\n")
    return (int(head_.split(b" ", 2)[1]) if head_ else 0), rest


def _complete(answer: bytes) -> bool:
    head, sep, rest = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(rest) >= int(line.split(b":")[1])
    return False


# ---------------------------------------------------------------------------- the bombs


def test_a_zip_bomb_policy_pack(server: Server) -> None:
    bomb = zip_bomb(entries=120, size=8 * MIB)  # 960 MB of entries in about 1 MB
    assert len(bomb) < 2 * MIB
    growth = server.measure()
    r = _page_upload(server, "boom", ("boom.zip", bomb))
    assert r.status_code == 413 and "压缩炸弹" in r.text, r.text[:500]
    assert growth() < GROWTH_MAX, f"{growth() / MIB:.0f} MB"


def test_an_xlsx_with_a_200_mb_shared_string(server: Server, tmp_path: Path) -> None:
    path = workbook(tmp_path / "bomb.xlsx", CODE, shared=repeated(200 * MIB))
    assert path.stat().st_size < MIB  # the was 0.21 MB
    growth = server.measure()
    r = httpx.post(server.url + "/imports", headers=server.auth("case_officer"), timeout=120,
                   files={"file": ("bomb.xlsx", path.read_bytes())})
    assert r.status_code == 422, r.text
    [p] = r.json()["problems"]
    assert p["code"] == "import.xlsx_part_too_large" and "sharedStrings" in p["message"]["zh"]
    assert growth() < GROWTH_MAX, f"{growth() / MIB:.0f} MB"


def test_yaml_aliases_in_a_policy_draft(server: Server) -> None:
    # the language test pack with its policy file made a billion laughs (10^9 values)
    files = [{"path": p, "content": billion_laughs(levels=9) if p == "lang.yaml" else
              c.decode()} for p, c in read_folder(ROOT / "tests" / "packs" / "language")]
    r = httpx.post(server.url + "/policies/language/versions", headers=server.auth("admin"),
                   json={"files": files}, timeout=60)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    growth = server.measure()
    started = time.monotonic()
    r = httpx.post(server.url + f"/policies/language/versions/{number}/check",
                   headers=server.auth("admin"), timeout=60)
    assert r.status_code == 200 and not r.json()["ok"]
    assert [p["code"] for p in r.json()["problems"]] == ["yaml.alias_budget"]
    page = httpx.get(server.url + f"/staff/policies/language/{number}/files/lang.yaml",
                     cookies={SESSION_COOKIE: server.tokens["admin"]}, timeout=60)
    assert page.status_code == 200 and "YAML 别名展开过多" in page.text
    assert time.monotonic() - started < 10  # not 90 s of CPU
    assert growth() < GROWTH_MAX, f"{growth() / MIB:.0f} MB"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_100_mb_of_json_to_sign_in(server: Server, declared: bool) -> None:
    piece = b"x" * (256 * 1024)
    parts = [b'{"username": "u_admin", "password": "', *([piece] * 400), b'"}']  # 100 MB
    size = sum(map(len, parts))

    def body() -> Iterator[bytes]:
        for part in parts:
            yield part if declared else b"%x\r\n%s\r\n" % (len(part), part)
        if not declared:
            yield b"0\r\n\r\n"

    length = (b"Content-Length: %d\r\n" % size) if declared else \
        b"Transfer-Encoding: chunked\r\n"
    head = (b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n" + length + b"\r\n")
    growth = server.measure()
    status, answer = _raw(server, head, body())
    assert status == 413, answer[:300]
    problem = json.loads(answer)
    assert problem["code"] == "too_large" and "HUIQI_REQUEST_MAX_KB" in problem["detail"]
    assert growth() < GROWTH_MAX, f"{growth() / MIB:.0f} MB"
