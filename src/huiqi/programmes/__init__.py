"""Programmes: from "you qualify" to "you received it" — a call on clauses of a published
pack (window, budget, quota, selection mode, materials, stage durations, reviewers),
applications and their declared workflow (:mod:`.flow`), review panels (:mod:`.panel`,
:mod:`.reviews`), money under concurrency (:mod:`.money`), 免申即享 (:mod:`.automatic`).
"""
