"""The whole policy: one typed section per family of rules."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from policies.sections.accounts import AccountPolicy
from policies.sections.cases import CasePolicy
from policies.sections.data import DataPolicy
from policies.sections.egress import EgressPolicy
from policies.sections.operations import OperationsPolicy
from policies.sections.sessions import SessionPolicy

# section name -> model; each section is read from ``<policy dir>/<section>.yaml``.
SECTIONS: dict[str, type[BaseModel]] = {
    "data": DataPolicy,
    "cases": CasePolicy,
    "sessions": SessionPolicy,
    "egress": EgressPolicy,
    "accounts": AccountPolicy,
    "operations": OperationsPolicy,
}


class Policy(BaseModel):
    # frozen: current_policy() is cached and shared; a change is a new policy (model_copy)
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "unnamed"
    description: str = ""
    demo: bool = Field(False, description="A demo policy; never for real data.")
    data: DataPolicy = Field(default_factory=DataPolicy)
    cases: CasePolicy = Field(default_factory=CasePolicy)
    sessions: SessionPolicy = Field(default_factory=SessionPolicy)
    egress: EgressPolicy = Field(default_factory=EgressPolicy)
    accounts: AccountPolicy = Field(default_factory=AccountPolicy)
    operations: OperationsPolicy = Field(default_factory=OperationsPolicy)

    def settings_with_rules(self):
        """Yield (section, key, value, rule, description) for every setting."""
        for section, cls in SECTIONS.items():
            obj = getattr(self, section)
            for key, info in cls.model_fields.items():
                extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
                yield section, key, getattr(obj, key), extra.get("rule"), info.description or ""
