"""A generator of realistic parks: enterprises of the seed page's high-tech zones.

Every enterprise has a valid 统一社会信用代码, a plausible Chinese name, a park with
its province, city and district, an industry, static facts, five fiscal years of
figures that hang together, certifications, awards and the rest — every value of a
type the fact catalogue accepts, some facts missing at stated rates. The same seed
and evaluation date always give the same data.

The modules, each documenting its distributions and their ranges:

==============  ==================================================================
parks           the seed's parks, their districts and division codes, weights
industries      industries and how firms in each behave (size, R&D, staff, IP)
firms           who the enterprises are: park, industry, kind, age, capability
codes           统一社会信用代码: valid, unique, reproducible
names           Chinese company names
finances        five years of revenue, costs, R&D, staff, assets, tax, rent
patents         invention grants, class-I/II IP stocks, IP loans and insurance
honours         certifications and titles (高新技术企业, 科技型中小企业, 专精特新 …)
records         awards, standards, R&D institutions, equity financing, violations
profile         static facts: compliance, credit, the self-reported profile
missing         which facts are left missing, and how often
park            blocks of enterprises streamed as Arrow record batches
output          writing Parquet (streamed), YAML or JSON
streams         random streams by (seed, block, concern)
dates, arrays   helpers: numpy dates; Arrow arrays built exactly from integers
==============  ==================================================================

Use :func:`batches` for a stream of Arrow record batches (:func:`tables` for the same
without copying blocks together), :func:`table` or
:func:`enterprises` for small populations, and :func:`write` for a file.
"""

from __future__ import annotations

from huiqi.generator.output import write
from huiqi.generator.park import BATCH, BLOCK, Plan, batches, enterprises, fiscal_years, table, tables

__all__ = ["BATCH", "BLOCK", "Plan", "batches", "enterprises", "fiscal_years", "table", "tables", "write"]
