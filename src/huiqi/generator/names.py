"""Chinese company names: 行政区划 + 字号 + 行业 + 组织形式.

- place (78 %): the park's city (``厦门海辰储能科技有限公司``); 字号 with the place in
  brackets (12 %, ``芯源微电子(北京)有限公司``); the province (10 %, ``福建…``);
- 字号: two characters (90 %) or three, drawn from two pools of characters common in
  trade names, never the same character twice in a row;
- 行业: a word of the enterprise's industry (``储能科技``, ``微电子``, ``软件`` …);
- form: 有限公司 (82 %), 有限责任公司 (8 %), 股份有限公司 (10 %; half of the firms
  with revenue of ¥100 M or more).

个体工商户 are named 城市 + 区 + 字号 + 经营项目 (``厦门市思明区鑫源便利店``).
Names are plausible, not unique: as in life, two cities may hold the same name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from huiqi.generator.industries import INDUSTRIES
from huiqi.generator.parks import DISTRICTS, PARKS

FIRST = tuple("华鑫科创源信达海芯睿智联通宏泰恒瑞博捷凯航天安盛德新元光微锐晶能中金宇嘉星云明东"
              "正佳汇众诚思维启鸿远卓越英奥普美和力兴腾飞龙祥福康益拓晨易量")
SECOND = tuple("达源通泰科创信华盛微芯辰宇晟瑞诚锐联航思宏博鼎讯维睿迅峰川禾骏硕翔宸赛图谷驰朗弘"
               "曜灿铭涵麒澜昇逸衡璟")
WORDS: dict[str, tuple[str, ...]] = {
    "new_energy": ("新能源科技", "光伏科技", "能源科技", "电力科技", "氢能科技"),
    "new_materials": ("新材料科技", "材料科技", "纳米科技", "新材料", "高分子材料"),
    "integrated_circuits": ("微电子", "半导体", "集成电路", "芯片科技", "电子科技"),
    "sensors": ("传感技术", "传感科技", "测控技术", "智能传感", "光电科技"),
    "software_it": ("软件", "信息技术", "网络科技", "数据科技", "信息科技", "智能科技", "软件技术"),
    "third_gen_semiconductors": ("半导体", "化合物半导体", "碳化硅科技", "宽禁带半导体"),
    "energy_storage": ("储能科技", "电池科技", "能源技术", "储能技术"),
    "metaverse": ("数字科技", "虚拟现实科技", "互动科技", "数字孪生科技"),
    "digital_health": ("医疗科技", "健康科技", "智慧医疗科技", "医疗信息技术"),
    "biomedicine": ("生物科技", "生物医药", "药业", "生物技术", "医药科技"),
    "high_end_equipment": ("智能装备", "机械", "精密机械", "装备制造", "自动化设备"),
    "automotive_electronics": ("汽车电子", "车联科技", "智能驾驶科技", "电子科技"),
    "textiles": ("纺织", "服饰", "织造", "纺织科技"),
    "engineering_services": ("工程技术", "检测技术", "工程咨询", "仿真科技", "技术服务"),
    "ip_services": ("知识产权代理", "专利代理", "知识产权服务"),
    "modern_services": ("企业管理咨询", "商务服务", "供应链管理", "物流", "人力资源", "文化传媒"),
    "other": ("贸易", "实业", "商贸", "发展"),
}
SHOPS = ("便利店", "电子产品经营部", "电脑维修部", "餐饮店", "五金店", "文印店", "服装店",
         "咨询服务部", "茶叶店", "水果店")
FORMS = ("有限公司", "有限责任公司", "股份有限公司")

Ints = np.ndarray[Any, Any]


def _brands(rng: np.random.Generator, n: int) -> list[str]:
    a = rng.integers(0, len(FIRST), n)
    b = rng.integers(0, len(SECOND), n)
    c = rng.integers(0, len(SECOND), n)
    three = rng.random(n) < 0.10
    out = []
    for i in range(n):
        first, second = FIRST[a[i]], SECOND[b[i]]
        if second == first:
            second = SECOND[(b[i] + 1) % len(SECOND)]
        name = first + second
        if three[i]:
            third = SECOND[c[i]]
            if third == second:
                third = SECOND[(c[i] + 1) % len(SECOND)]
            name += third
        out.append(name)
    return out


def names(rng: np.random.Generator, park: Ints, district: Ints, industry: Ints,
          individual: np.ndarray[Any, Any],
          revenue: np.ndarray[Any, Any]) -> list[str]:
    """Names for a block. ``district`` indexes :data:`~huiqi.generator.parks.DISTRICTS`,
    ``revenue`` is the latest annual revenue in yuan (large firms are more often 股份)."""
    n = len(park)
    brands = _brands(rng, n)
    pattern = rng.random(n)
    word_u = rng.random(n)
    form_u = rng.random(n)
    shop = rng.integers(0, len(SHOPS), n)
    big = revenue >= 100_000_000
    out = []
    for i in range(n):
        p = PARKS[park[i]]
        if individual[i]:
            out.append(f"{p.city}{DISTRICTS[district[i]][1].name}{brands[i]}{SHOPS[shop[i]]}")
            continue
        words = WORDS[INDUSTRIES[industry[i]].id]
        word = words[int(word_u[i] * len(words))]
        if form_u[i] < (0.5 if big[i] else 0.10):
            form = FORMS[2]
        elif form_u[i] > 0.92:
            form = FORMS[1]
        else:
            form = FORMS[0]
        if pattern[i] < 0.78:
            out.append(f"{p.short}{brands[i]}{word}{form}")
        elif pattern[i] < 0.90:
            out.append(f"{brands[i]}{word}({p.short}){form}")
        else:
            out.append(f"{p.province_short}{brands[i]}{word}{form}")
    return out
