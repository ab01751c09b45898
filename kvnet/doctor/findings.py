"""What ``kvnet doctor`` found: values, rendered by the command."""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any

from kvnet.codes import lookup

ERROR = "error"
WARNING = "warning"
OK = "ok"


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning | ok
    # bin-dir | multus-binary | plugin | conf-dir | multus-conf | kubeconfig | bridge | uplink | ovs | ovs-bridge
    check: str
    subject: str  # what was checked: a binary, a file, a bridge
    message: str  # what is right or wrong
    fix: str | None = None  # the exact command that fixes it
    path: str | None = None  # the node path concerned
    caution: str | None = None  # what to do before running ``fix`` (e.g. move the uplink's addresses)
    code: str | None = None  # KV5xx of kvnet.codes; every error and warning has one, ``ok`` none

    def __post_init__(self) -> None:
        """An error or warning carries a registered code of its severity (a mismatch is a kvnet bug)."""
        if self.severity == OK:
            return
        if self.code is None or lookup(self.code).severity.value != self.severity:
            raise ValueError(f"doctor finding {self.check}/{self.subject}: code {self.code} is not a registered "
                             f"{self.severity}")

    def as_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "check": self.check, "subject": self.subject,
                "message": self.message, "fix": self.fix, "caution": self.caution, "path": self.path}


@dataclass
class NodeReport:
    root: str
    distribution: str
    distribution_from: str  # option | plan | detected | default
    bin_dir: str
    conf_dir: str
    flavor: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def healthy(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {"root": self.root, "distribution": self.distribution, "distributionFrom": self.distribution_from,
                "binDir": self.bin_dir, "confDir": self.conf_dir, "flavor": self.flavor,
                "healthy": self.healthy, "findings": [f.as_dict() for f in self.findings]}
