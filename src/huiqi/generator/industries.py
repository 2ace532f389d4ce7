"""Industries (the catalogue's ``industry`` enum) and how enterprises in each behave.

The industries are the seed page's tracks (新能源, 新材料, 集成电路, 传感器, 软件和
信息服务, 第三代半导体, 储能, 元宇宙, 数字医疗, 生物医药 …) and the kinds of firm
the seed mentions besides (纺织, 工程技术服务, 知识产权服务, 现代服务业).

Per industry (a mature firm is eight or more years old):

- ``weight``: share of enterprises before the park's bias;
- ``tech``: a technology industry ("tech firms" for the honour shares);
- ``revenue``: median annual revenue of a mature firm, yuan; ``sigma``: the spread of
  log revenue (log-normal, heavy right tail);
- ``rd``: median R&D intensity (R&D expense / revenue) of firms that do R&D, with
  log-spread ``rd_sigma``; ``no_rd``: share of firms doing no R&D at all;
- ``per_staff``: median revenue per employee, yuan;
- ``assets``: median total assets / revenue;
- ``patent_cost``: R&D yuan per invention patent granted (for a median firm);
- ``class2``: class-II IP (utility models, designs, software copyrights) per
  invention patent.

Tested at N = 20,000 (``tests/generator``): in the last fiscal year the median revenue
of enterprises nine or more years old is within ×/÷1.5 of ``revenue`` and its 90th
percentile at least 4 times the median; the median R&D intensity of firms doing R&D is
within ×/÷1.3 of ``rd`` (never above 80 %); the share doing none is within 8 points of
``no_rd``.

==========================  =====  ===  =======  =====  =====  =====  ======  ======
industry                    weight tech revenue  sigma  rd     no_rd  staff¥  assets
==========================  =====  ===  =======  =====  =====  =====  ======  ======
new_energy                  8      yes  20 M     1.9    4.5 %  5 %    1.2 M   1.4
new_materials               9      yes  15 M     1.8    4.0 %  8 %    1.0 M   1.3
integrated_circuits         7      yes  18 M     2.0    12 %   3 %    1.0 M   1.5
sensors                     5      yes  10 M     1.7    7 %    4 %    0.7 M   1.2
software_it                 20     yes  5 M      1.8    9 %    8 %    0.45 M  0.9
third_gen_semiconductors    3      yes  15 M     2.0    10 %   3 %    1.0 M   1.8
energy_storage              4      yes  20 M     2.0    5 %    5 %    1.3 M   1.4
metaverse                   3      yes  3 M      1.7    12 %   10 %   0.4 M   0.8
digital_health              3      yes  4 M      1.7    10 %   8 %    0.5 M   1.0
biomedicine                 5      yes  10 M     2.1    15 %   5 %    0.9 M   1.8
high_end_equipment          8      yes  15 M     1.8    4.5 %  8 %    0.9 M   1.3
automotive_electronics      4      yes  18 M     1.9    6 %    5 %    1.0 M   1.2
textiles                    3      no   12 M     1.6    1.5 %  35 %   0.5 M   1.0
engineering_services        5      no   4 M      1.6    3 %    30 %   0.5 M   0.9
ip_services                 1      no   1.5 M    1.2    1 %    60 %   0.35 M  0.7
modern_services             8      no   3 M      1.7    1 %    60 %   0.8 M   0.8
other                       4      no   2.5 M    1.7    0.5 %  70 %   0.8 M   1.0
==========================  =====  ===  =======  =====  =====  =====  ======  ======
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

M = 1_000_000


@dataclass(frozen=True)
class Industry:
    id: str
    weight: float
    sector: str               # the catalogue's sector_class
    tech: bool
    revenue: float
    sigma: float
    rd: float
    rd_sigma: float
    no_rd: float
    per_staff: float
    assets: float
    patent_cost: float
    class2: float


INDUSTRIES: tuple[Industry, ...] = (
    Industry("new_energy", 8, "industrial", True, 20 * M, 1.9, 0.045, 0.5, 0.05, 1.2 * M, 1.4, 1.5 * M, 3),
    Industry("new_materials", 9, "industrial", True, 15 * M, 1.8, 0.040, 0.5, 0.08, 1.0 * M, 1.3, 1.2 * M, 3),
    Industry("integrated_circuits", 7, "industrial", True, 18 * M, 2.0, 0.12, 0.6, 0.03, 1.0 * M, 1.5, 2.0 * M, 2),
    Industry("sensors", 5, "industrial", True, 10 * M, 1.7, 0.07, 0.5, 0.04, 0.7 * M, 1.2, 1.0 * M, 3),
    Industry("software_it", 20, "software_it", True, 5 * M, 1.8, 0.09, 0.6, 0.08, 0.45 * M, 0.9, 2.5 * M, 8),
    Industry("third_gen_semiconductors", 3, "industrial", True, 15 * M, 2.0, 0.10, 0.6, 0.03, 1.0 * M, 1.8,
             1.8 * M, 2),
    Industry("energy_storage", 4, "industrial", True, 20 * M, 2.0, 0.05, 0.5, 0.05, 1.3 * M, 1.4, 1.5 * M, 3),
    Industry("metaverse", 3, "software_it", True, 3 * M, 1.7, 0.12, 0.6, 0.10, 0.4 * M, 0.8, 3.0 * M, 10),
    Industry("digital_health", 3, "software_it", True, 4 * M, 1.7, 0.10, 0.6, 0.08, 0.5 * M, 1.0, 2.5 * M, 6),
    Industry("biomedicine", 5, "industrial", True, 10 * M, 2.1, 0.15, 0.7, 0.05, 0.9 * M, 1.8, 2.5 * M, 1),
    Industry("high_end_equipment", 8, "industrial", True, 15 * M, 1.8, 0.045, 0.5, 0.08, 0.9 * M, 1.3, 1.2 * M,
             4),
    Industry("automotive_electronics", 4, "industrial", True, 18 * M, 1.9, 0.06, 0.5, 0.05, 1.0 * M, 1.2,
             1.5 * M, 3),
    Industry("textiles", 3, "industrial", False, 12 * M, 1.6, 0.015, 0.6, 0.35, 0.5 * M, 1.0, 1.0 * M, 4),
    Industry("engineering_services", 5, "service", False, 4 * M, 1.6, 0.03, 0.7, 0.30, 0.5 * M, 0.9, 2.0 * M, 3),
    Industry("ip_services", 1, "service", False, 1.5 * M, 1.2, 0.01, 0.8, 0.60, 0.35 * M, 0.7, 3.0 * M, 1),
    Industry("modern_services", 8, "service", False, 3 * M, 1.7, 0.01, 0.8, 0.60, 0.8 * M, 0.8, 5.0 * M, 2),
    Industry("other", 4, "other", False, 2.5 * M, 1.7, 0.005, 0.8, 0.70, 0.8 * M, 1.0, 5.0 * M, 2),
)

INDEX = {ind.id: i for i, ind in enumerate(INDUSTRIES)}
TECH_INDUSTRIES = frozenset(ind.id for ind in INDUSTRIES if ind.tech)
INDIVIDUAL_INDUSTRIES = {"modern_services": 0.6, "other": 0.3, "software_it": 0.1}
"""The industries of individual businesses (个体工商户)."""

SECTORS = ("industrial", "software_it", "service", "other")


def column(name: str) -> np.ndarray[Any, Any]:
    """One parameter of every industry, as an array indexed by industry number."""
    return np.array([getattr(ind, name) for ind in INDUSTRIES])
