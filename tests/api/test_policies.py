"""Policy packs through the API: a draft (an unpublished version) is for staff roles only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from huiqi.packs.files import read_folder
from huiqi.service.permissions import GRANTS, Permission, Role
from service_fixtures import ROLES, ROOT, World, auth

LANGUAGE = ROOT / "tests" / "packs" / "language"
FILES = [{"path": p, "content": c.decode()} for p, c in read_folder(LANGUAGE)]


def test_enterprise_users_cannot_read_drafts(api: tuple[World, TestClient]) -> None:
    """Issue 10, item 12: the list, the version and its files of a draft are staff-only."""
    world, client = api
    admin = auth(world.tokens["admin"])
    officer = auth(world.tokens["policy_officer"])
    assert client.post("/policies/language/versions", headers=officer,
                       json={"files": FILES}).status_code == 201
    digest = client.get("/policies/language/versions/1/diff", headers=admin).json()["digest"]
    assert client.post(f"/policies/language/versions/1/publish?reviewed={digest}",
                       headers=admin).status_code == 200
    assert client.post("/policies/language/versions", headers=admin,
                       json={"files": FILES, "note": "未公开的修订"}).status_code == 201
    assert client.post("/policies/draftonly/versions", headers=admin, json={"files": [
        {**f, "content": f["content"].replace("id: language", "id: draftonly")}
        for f in FILES]}).status_code == 201
    for role in ROLES:
        h = auth(world.tokens[role])
        staff = GRANTS[Role(role)].get(Permission.POLICY_DRAFT_READ) is not None
        listed = {p["key"]: [v["number"] for v in p["versions"]]
                  for p in client.get("/policies", headers=h).json()}
        one = client.get("/policies/language", headers=h).json()
        r = client.get("/policies/language/versions/2", headers=h)
        if staff:
            assert listed == {"draftonly": [1], "language": [1, 2]}, role
            assert [v["number"] for v in one["versions"]] == [1, 2]
            assert r.status_code == 200 and r.json()["note"] == "未公开的修订"
        else:
            assert role == "enterprise"
            assert listed == {"language": [1]}
            assert [v["number"] for v in one["versions"]] == [1]
            assert r.status_code == 403 and "未公开" not in r.text, r.text
            assert client.get("/policies/draftonly", headers=h).status_code == 404
            assert client.get("/policies/language/versions/1", headers=h).status_code == 200
    denied = client.get("/audit", headers=admin, params={
        "actor": "u_enterprise", "outcome": "denied"}).json()["items"]
    assert [(d["action"], d["target"]) for d in denied] == [("policy.draft.read", "language #2")]
