"""Who is calling: the authenticated principal and what their role allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["reader", "submitter", "editor", "admin"]
ROLE_ORDER: dict[str, int] = {"reader": 0, "submitter": 1, "editor": 2, "admin": 3}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a department's token with a role.

    - reader: every query.
    - submitter: reader, plus submitting and validating files for its own department's datasets.
    - editor: submitter, plus ontology editing (diff, impact, publish) and the SPARQL endpoint.
    - admin: everything, for every department.
    In demo mode the principal is :data:`DEMO_PRINCIPAL` (admin of the Smart City Policy Bureau).
    """

    department: str
    role: Role
    token_id: str

    def has_role(self, needed: Role) -> bool:
        """Whether this principal's role includes ``needed``."""
        return ROLE_ORDER[self.role] >= ROLE_ORDER[needed]

    def may_submit_for(self, department: str) -> bool:
        """Submitters may submit only for their own department; admins for any."""
        if self.role == "admin":
            return True
        return self.has_role("submitter") and self.department == department


DEMO_PRINCIPAL = Principal(department="smart-city-policy", role="admin", token_id="demo")  # noqa: S106 (not a secret)
