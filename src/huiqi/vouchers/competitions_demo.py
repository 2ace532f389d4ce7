"""The demo's competition (``huiqi init-demo``): 炬火种 at the seed's size — 215
universities, 1,900 and more entrants — with problems posted by the demo park's
enterprises in every stage (posted, open, preliminary, final, awarded, withdrawn),
replayed on the demo's clock.

The universities are Fujian's and other Chinese universities' names first, then made-up
names (a city and a kind of school) until there are as many as the seed says; the
students, mentors and scores are generated (seeded, so the demo is the same every time).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from huiqi.programmes.demo import Demo
from huiqi.service.context import Context

from . import competitions as K
from .schemas import (
    CompetitionCreate,
    PrizeSpec,
    ProblemPost,
    StageRubric,
    StageScores,
    TeamRegister,
)

REAL = ["厦门大学", "华侨大学", "集美大学", "厦门理工学院", "福州大学", "福建师范大学", "福建农林大学",
        "闽江学院", "莆田学院", "泉州师范学院", "闽南师范大学", "龙岩学院", "三明学院", "武夷学院",
        "宁德师范学院", "福建理工大学", "厦门医学院", "福建医科大学", "福建中医药大学", "仰恩大学",
        "厦门华厦学院", "厦门工学院", "阳光学院", "福州外语外贸学院", "泉州信息工程学院",
        "浙江大学", "上海交通大学", "同济大学", "南京大学", "东南大学", "中山大学", "华南理工大学",
        "武汉大学", "华中科技大学", "西安交通大学", "哈尔滨工业大学", "电子科技大学", "清华大学",
        "北京大学", "北京航空航天大学"]
CITIES = ["漳州", "泉州", "南平", "宁德", "温州", "宁波", "杭州", "苏州", "无锡", "常州", "合肥",
          "南昌", "赣州", "长沙", "株洲", "广州", "深圳", "佛山", "东莞", "汕头", "南宁", "桂林",
          "贵阳", "昆明", "成都", "重庆", "西安", "郑州", "洛阳", "济南", "青岛", "烟台", "天津",
          "石家庄", "太原", "沈阳", "大连", "长春", "武汉", "宜昌"]
KINDS = ["理工学院", "职业技术学院", "科技学院", "师范学院", "工业大学"]
SEED_UNIVERSITIES = 215
SEED_ENTRANTS = 1900

#: the problems' titles (enterprises of a high-tech zone: electronics, software, materials)
TOPICS = ["产线视觉缺陷检测", "锂电池健康度预测", "光伏组件热斑识别", "工业设备预测性维护", "智能仓储路径规划",
          "车规芯片功耗优化", "柔性显示材料良率提升", "医疗影像辅助诊断", "跨境电商选品推荐", "园区能耗预测",
          "无人机巡检航线规划", "语音客服意图识别", "钨钼材料成分优化", "PCB 焊点质量检测", "智能家居低功耗通信",
          "服装版型自动生成"]
#: how many problems are in each state, and the day (before the demo's) they reached it
STAGES = [("posted", 4), ("withdrawn", 2), ("open", 10), ("preliminary", 8), ("final", 8),
          ("awarded", 12)]


def universities(n: int = SEED_UNIVERSITIES) -> list[str]:
    out = list(REAL[:n])
    for city in CITIES:
        for kind in KINDS:
            if len(out) >= n:
                return out
            name = f"{city}{kind}"
            if name not in out:
                out.append(name)
    return out


def create(d: Demo, day: dt.date, firms: list[tuple[str, int]], log: Callable[[str], None],
           n_universities: int = SEED_UNIVERSITIES, entrants: int = SEED_ENTRANTS) -> None:
    """The competition of ``day``'s year, its problems in every stage and their teams:
    every one of ``n_universities`` has entrants, ``entrants`` of them at least."""
    rng = random.Random(215)
    unis = universities(n_universities)
    officer = d.staff()
    key = f"jhz-{day.year}"
    d.at(day - dt.timedelta(days=150))
    K.create(officer, CompetitionCreate(
        key=key, title_zh=f"{day.year}年“炬火种”创新创业大赛", title_en=f"Torch Seeds {day.year}",
        organiser="厦门火炬高新区管委会", year=day.year, finalists=5,
        prizes=[PrizeSpec.model_validate(x) for x in K.PRIZES],
        preliminary=StageRubric.model_validate({"criteria": K.PRELIMINARY, "pass_mark": "60"}),
        final=StageRubric.model_validate({"criteria": K.FINAL, "pass_mark": "60"}),
        panels={"preliminary": ["演示评审专家甲", "演示评审专家乙", "演示评审专家丙"],
                "final": ["演示评审专家甲", "演示评审专家丁", "演示评审专家戊"]}))
    plan = [state for state, n in STAGES for _ in range(n)]
    with_teams = [s for s in plan if s not in ("posted", "withdrawn")]
    per = -(-entrants // (len(with_teams) * 4)) + 1     # teams a problem, ~4 students a team
    problems: list[tuple[int, str]] = []
    d.at(day - dt.timedelta(days=140))
    for i, state in enumerate(plan):
        code, eid = firms[i % len(firms)]
        p = K.post(d.firm(code, eid), key, ProblemPost(
            code=f"P{i + 1:02d}", enterprise=code,
            title_zh=f"{TOPICS[i % len(TOPICS)]}({i + 1})",
            title_en=f"Problem {i + 1}", prize=str(rng.choice((50000, 80000, 100000, 200000))),
            description=f"{TOPICS[i % len(TOPICS)]}:企业提供真实数据与场景,期望在三个月内给出可验证的方案。"))
        problems.append((p.id, state))
    d.at(day - dt.timedelta(days=130))
    for pid, state in problems:
        if state == "withdrawn":
            K.move(officer, pid, "withdraw", "企业需求变更,撤回命题")
        elif state != "posted":
            K.move(officer, pid, "open")
    # the teams: universities taken in turn (so that every one has entrants), then at random
    d.at(day - dt.timedelta(days=100))
    turn = 0
    student = 0
    for pid, state in problems:
        if state in ("posted", "withdrawn"):
            continue
        teams = []
        for n in range(per):
            uni = unis[turn % len(unis)] if turn < len(unis) * 2 else rng.choice(unis)
            turn += 1
            members = []
            for j in range(rng.choice((3, 4, 4, 5))):
                student += 1
                members.append({"name": f"学生{student:04d}",
                                "university": uni if j or rng.random() < 0.9 else rng.choice(unis),
                                "role": "队长" if j == 0 else "队员"})
            teams.append(TeamRegister.model_validate({
                "name": f"{uni[:6]}{n + 1}队", "university": uni, "members": members,
                "mentor": f"{uni[:4]}导师{n + 1}", "contact": f"1380592{student:04d}"}))
        K.register_many(d.staff(), pid, teams)
    d.at(day - dt.timedelta(days=60))
    for pid, state in problems:
        if state in ("preliminary", "final", "awarded"):
            K.move(officer, pid, "review")
    d.at(day - dt.timedelta(days=45))
    for pid, state in problems:
        if state in ("final", "awarded"):
            K.advance(officer, pid, _sheets(rng, officer, pid, "registered", K.PRELIMINARY, 3))
    d.at(day - dt.timedelta(days=20))
    for pid, state in problems:
        if state == "awarded":
            K.award(officer, pid, _sheets(rng, officer, pid, "finalist", K.FINAL, 3))
    total = K.counts(officer, key)
    log(f"✓ 炬火种 / competition {key}: {len(problems)} problems in every stage, {total.teams} "
        f"teams, {total.entrants} entrants from {len(total.universities)} universities")


def _sheets(rng: random.Random, ctx: Context, pid: int, state: str,
            criteria: list[dict[str, Any]], reviewers: int) -> StageScores:
    roster = [t for t in K.problem(ctx, pid).roster if t.state == state]
    reviews = {}
    for t in roster:
        base = rng.randint(55, 92)
        reviews[str(t.id)] = [{str(c["id"]): str(min(100, max(0, base + rng.randint(-6, 6))))
                               for c in criteria} for _ in range(reviewers)]
    return StageScores.model_validate({"reviews": reviews})
