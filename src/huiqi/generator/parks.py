"""The parks of the seed page, their places and their weight in a generated population.

Each enterprise is drawn into a park (weights below), then into one of the park's
districts. Province, city and district are then consistent with the park, and the
district's 6-digit code (GB/T 2260) goes into the 统一社会信用代码: the district's
code for 60 % of enterprises (all individual businesses), the city's for 40 %
(registered by the city's market-regulation bureau).

========================  ==========================  =======  =======================
park                      place                       weight   districts (code, weight)
========================  ==========================  =======  =======================
中关村科技园区            北京市                        0.32     海淀 110108 .55, 昌平 110114 .15,
                                                                 朝阳 110105 .15, 丰台 110106 .15
厦门火炬高新区            福建省厦门市 350200           0.22     湖里 350206 .45, 思明 350203 .30,
                                                                 翔安 350213 .15, 集美 350211 .10
宁波高新区                浙江省宁波市 330200           0.12     鄞州 330212
青岛高新区                山东省青岛市 370200           0.10     崂山 370212 .5, 城阳 370214 .5
大连高新区                辽宁省大连市 210200           0.09     甘井子 210211
昆明高新区                云南省昆明市 530100           0.08     五华 530102
桂林高新区                广西壮族自治区桂林市 450300   0.07     七星 450305
========================  ==========================  =======  =======================

Each park favours the industries the seed names for it (``bias`` multiplies the
industry weights of :mod:`huiqi.generator.industries`): Xiamen energy storage, third-
generation semiconductors, metaverse and digital health; Beijing automotive chips and
ICs; Guilin textiles; Ningbo new materials and IP services; and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class District:
    name: str
    code: str
    weight: float


@dataclass(frozen=True)
class Park:
    name: str
    province: str
    city: str
    city_code: str
    short: str                # the place word of company names (厦门)
    province_short: str       # the province word of company names (福建)
    weight: float
    districts: tuple[District, ...]
    rent_per_m2_day: float    # office rent, yuan per m² per day
    bias: dict[str, float] = field(default_factory=dict)


PARKS: tuple[Park, ...] = (
    Park("中关村科技园区", "北京市", "北京市", "110000", "北京", "北京", 0.32,
         (District("海淀区", "110108", 0.55), District("昌平区", "110114", 0.15),
          District("朝阳区", "110105", 0.15), District("丰台区", "110106", 0.15)), 5.5,
         {"automotive_electronics": 2.5, "integrated_circuits": 1.8, "software_it": 1.6,
          "digital_health": 1.3, "metaverse": 1.2, "textiles": 0.2}),
    Park("厦门火炬高新区", "福建省", "厦门市", "350200", "厦门", "福建", 0.22,
         (District("湖里区", "350206", 0.45), District("思明区", "350203", 0.30),
          District("翔安区", "350213", 0.15), District("集美区", "350211", 0.10)), 2.8,
         {"energy_storage": 2.5, "third_gen_semiconductors": 2.5, "new_energy": 1.8,
          "metaverse": 1.8, "digital_health": 1.8, "integrated_circuits": 1.5, "sensors": 1.5,
          "new_materials": 1.3, "software_it": 1.2}),
    Park("宁波高新区", "浙江省", "宁波市", "330200", "宁波", "浙江", 0.12,
         (District("鄞州区", "330212", 1.0),), 2.2,
         {"new_materials": 2.0, "ip_services": 2.5, "engineering_services": 1.5,
          "high_end_equipment": 1.5}),
    Park("青岛高新区", "山东省", "青岛市", "370200", "青岛", "山东", 0.10,
         (District("崂山区", "370212", 0.5), District("城阳区", "370214", 0.5)), 2.0,
         {"high_end_equipment": 1.5, "metaverse": 1.5, "sensors": 1.3, "biomedicine": 1.3}),
    Park("大连高新区", "辽宁省", "大连市", "210200", "大连", "辽宁", 0.09,
         (District("甘井子区", "210211", 1.0),), 1.8,
         {"software_it": 1.8, "high_end_equipment": 1.3}),
    Park("昆明高新区", "云南省", "昆明市", "530100", "昆明", "云南", 0.08,
         (District("五华区", "530102", 1.0),), 1.6,
         {"biomedicine": 2.5, "new_materials": 1.5, "modern_services": 1.3}),
    Park("桂林高新区", "广西壮族自治区", "桂林市", "450300", "桂林", "广西", 0.07,
         (District("七星区", "450305", 1.0),), 1.2,
         {"textiles": 4.0, "high_end_equipment": 1.5, "engineering_services": 1.5,
          "biomedicine": 1.3}),
)

DISTRICTS: tuple[tuple[int, District], ...] = tuple(
    (p, d) for p, park in enumerate(PARKS) for d in park.districts)
"""Every district with the index of its park, in a fixed order."""

CITY_SHARE = 0.4
"""Share of enterprises whose code carries the city's division code, not the district's."""
