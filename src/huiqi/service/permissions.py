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
    ENTERPRISE_MOVE = "enterprise.move"      # change where an entity is registered (staff only)
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


class Scope(StrEnum):
    ALL = "all"
    OWN = "own"


P, A, OWN = Permission, Scope.ALL, Scope.OWN
_READ_ALL = {P.ENTERPRISE_READ: A, P.POLICY_READ: A, P.POLICY_DRAFT_READ: A, P.RESULT_READ: A,
             P.CALENDAR_READ: A}

#: What each role may do. A permission a role does not list is refused.
GRANTS: dict[Role, dict[Permission, Scope]] = {
    Role.ADMIN: {p: A for p in Permission},
    Role.POLICY_OFFICER: {**_READ_ALL, P.POLICY_WRITE: A, P.POLICY_PUBLISH: A, P.RESULT_RUN: A,
                          P.SIMULATION_RUN: A, P.IMPORT_READ: A},
    Role.REVIEWER: {P.ENTERPRISE_READ: A, P.POLICY_READ: A, P.POLICY_DRAFT_READ: A,
                    P.CALENDAR_READ: A},
    Role.CASE_OFFICER: {**_READ_ALL, P.ENTERPRISE_WRITE: A, P.ENTERPRISE_MOVE: A, P.IMPORT_RUN: A,
                        P.IMPORT_READ: A, P.FACT_CONFIRM: A},
    Role.LEADERSHIP: {**_READ_ALL, P.IMPORT_READ: A},
    Role.ENTERPRISE: {P.ENTERPRISE_READ: OWN, P.ENTERPRISE_WRITE: OWN, P.POLICY_READ: A,
                      P.CALENDAR_READ: A},
}


def scope_of(role: Role, permission: Permission) -> Scope | None:
    """How far ``role`` holds ``permission``: everything, its own enterprise, or not at all."""
    return GRANTS[role].get(permission)
