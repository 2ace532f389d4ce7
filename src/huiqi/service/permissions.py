"""Roles and permissions, declared once.

A role grants a permission either over everything (``ALL``) or only over the enterprise
the account is bound to (``OWN``). Service functions declare the permission they need
(:func:`huiqi.service.context.requires`); the API's routes declare the same permission
for the documentation and the access-matrix test.
"""

from __future__ import annotations

from enum import StrEnum

from huiqi.text import Text


class Role(StrEnum):
    ADMIN = "admin"
    POLICY_OFFICER = "policy_officer"
    REVIEWER = "reviewer"
    CASE_OFFICER = "case_officer"
    LEADERSHIP = "leadership"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> Text:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: Text("系统管理员", "Administrator"),
    Role.POLICY_OFFICER: Text("政策专员", "Policy officer"),
    Role.REVIEWER: Text("评审专家", "Reviewer"),
    Role.CASE_OFFICER: Text("代办员", "Case officer"),
    Role.LEADERSHIP: Text("领导(只读)", "Leadership (read-only)"),
    Role.ENTERPRISE: Text("企业用户", "Enterprise user"),
}


class Permission(StrEnum):
    ENTERPRISE_READ = "enterprise.read"      # an entity, its facts, locations, match
    ENTERPRISE_WRITE = "enterprise.write"    # create, rename, set facts
    ENTERPRISE_MOVE = "enterprise.move"      # correct where an entity is registered (admin;
                                             # a move is a case: huiqi.cases.moves)
    FACT_CONFIRM = "fact.confirm"            # confirm or reject what an enterprise says of itself
    POLICY_READ = "policy.read"              # packs, published versions, clauses
    POLICY_DRAFT_READ = "policy.draft.read"  # unpublished versions and their files (staff only)
    POLICY_WRITE = "policy.write"            # upload and check drafts
    POLICY_PUBLISH = "policy.publish"        # publish, retire
    RESULT_READ = "result.read"              # stored results over many enterprises
    RESULT_RUN = "result.run"                # store results of a matching run
    SIMULATION_RUN = "simulation.run"        # near-misses, simulations
    IMPORT_RUN = "import.run"
    IMPORT_READ = "import.read"
    ACCOUNT_MANAGE = "account.manage"
    AUDIT_READ = "audit.read"
    CALENDAR_READ = "calendar.read"          # working days and working-day deadlines
    CALENDAR_EDIT = "calendar.edit"          # declare days and years of China's calendar
    PROGRAMME_READ = "programme.read"        # programmes (calls), their budgets and quotas
    PROGRAMME_MANAGE = "programme.manage"    # open a programme on clauses of a published pack
    APPLICATION_READ = "application.read"    # applications, their materials and decisions
    APPLICATION_WRITE = "application.write"  # apply: draft, facts, materials, submit, withdraw
    APPLICATION_PROCESS = "application.process"  # formal review, decisions, 公示, grants, payment
    REVIEW_SCORE = "review.score"            # a reviewer's own assignments: conflicts, scores
    REVIEW_DECIDE = "review.decide"          # record a decision on a condition a person judges
    CASE_READ = "case.read"                  # service cases, their times, files, dashboards
    CASE_WORK = "case.work"                  # open and move cases, log contacts and progress
    CASE_REQUEST = "case.request"            # submit a request or a move, supply, rate
    CASE_STANDARD = "case.standard"          # the service standard: templates, categories
    CASE_DECIDE = "case.decide"              # decide an appeal against a rating
    ANALYTICS_READ = "analytics.read"        # park evaluation, chain maps, the 招商 list
    ANALYTICS_EDIT = "analytics.edit"        # import park statistics, decide chain members
    MARKET_READ = "market.read"              # supply-demand listings and matches
    MARKET_WRITE = "market.write"            # post listings, record a match's outcome
    MARKET_CONSENT = "market.consent"        # say yes or no to a match (the enterprise only)
    VOUCHER_READ = "voucher.read"            # voucher schemes, balances, contracts, claims
    VOUCHER_USE = "voucher.use"              # redeem, confirm; a provider's items, claims
    VOUCHER_MANAGE = "voucher.manage"        # schemes, issue, recognise providers, settle
    COMPETITION_READ = "competition.read"    # competitions, problems, teams, rankings, counts
    COMPETITION_POST = "competition.post"    # post a problem (命题) with its prize money
    COMPETITION_ENTER = "competition.enter"  # register a team for a problem (also on the
                                             # public page, as the visitor "public")
    COMPETITION_MANAGE = "competition.manage"  # competitions, stages, panels' scores, prizes
    PUSH_READ = "push.read"                  # an enterprise's inbox and its delivery log
    PUSH_SUBSCRIBE = "push.subscribe"        # read or archive messages, change subscriptions
    PUSH_ADMIN = "push.admin"                # dead letters: see them, send them again


class Scope(StrEnum):
    ALL = "all"
    OWN = "own"


P, A, OWN = Permission, Scope.ALL, Scope.OWN
_READ_ALL = {P.ENTERPRISE_READ: A, P.POLICY_READ: A, P.POLICY_DRAFT_READ: A, P.RESULT_READ: A,
             P.CALENDAR_READ: A, P.PROGRAMME_READ: A, P.APPLICATION_READ: A, P.CASE_READ: A,
             P.PUSH_READ: A}

#: What each role may do. A permission a role does not list is refused.
GRANTS: dict[Role, dict[Permission, Scope]] = {
    Role.ADMIN: {p: A for p in Permission},
    Role.POLICY_OFFICER: {**_READ_ALL, P.POLICY_WRITE: A, P.POLICY_PUBLISH: A, P.RESULT_RUN: A,
                          P.REVIEW_DECIDE: A,
                          P.SIMULATION_RUN: A, P.IMPORT_READ: A, P.PROGRAMME_MANAGE: A,
                          P.ANALYTICS_READ: A, P.MARKET_READ: A, P.VOUCHER_READ: A,
                          P.COMPETITION_READ: A},
    Role.REVIEWER: {P.ENTERPRISE_READ: A, P.POLICY_READ: A, P.POLICY_DRAFT_READ: A,
                    P.CALENDAR_READ: A, P.PROGRAMME_READ: A, P.REVIEW_SCORE: A,
                    P.REVIEW_DECIDE: A},
    Role.CASE_OFFICER: {**_READ_ALL, P.ENTERPRISE_WRITE: A, P.IMPORT_RUN: A,
                        P.IMPORT_READ: A, P.APPLICATION_PROCESS: A, P.CASE_WORK: A,
                        P.CASE_REQUEST: A, P.CASE_STANDARD: A, P.ANALYTICS_READ: A,
                        P.ANALYTICS_EDIT: A, P.MARKET_READ: A, P.MARKET_WRITE: A,
                        P.FACT_CONFIRM: A, P.VOUCHER_READ: A, P.VOUCHER_USE: A,
                        P.VOUCHER_MANAGE: A, P.COMPETITION_READ: A, P.COMPETITION_POST: A,
                        P.COMPETITION_ENTER: A, P.COMPETITION_MANAGE: A},
    Role.LEADERSHIP: {**_READ_ALL, P.IMPORT_READ: A, P.ANALYTICS_READ: A, P.MARKET_READ: A,
                      P.VOUCHER_READ: A, P.COMPETITION_READ: A},
    Role.ENTERPRISE: {P.ENTERPRISE_READ: OWN, P.ENTERPRISE_WRITE: OWN, P.POLICY_READ: A,
                      P.CALENDAR_READ: A, P.PROGRAMME_READ: A, P.APPLICATION_READ: OWN,
                      P.APPLICATION_WRITE: OWN, P.CASE_READ: OWN, P.CASE_REQUEST: OWN,
                      P.MARKET_READ: OWN, P.MARKET_WRITE: OWN, P.MARKET_CONSENT: OWN,
                      P.VOUCHER_READ: OWN, P.VOUCHER_USE: OWN, P.PUSH_READ: OWN,
                      P.PUSH_SUBSCRIBE: OWN, P.COMPETITION_READ: OWN, P.COMPETITION_POST: OWN,
                      P.COMPETITION_ENTER: A},
}


def scope_of(role: Role, permission: Permission) -> Scope | None:
    """How far ``role`` holds ``permission``: everything, its own enterprise, or not at all."""
    return GRANTS[role].get(permission)
