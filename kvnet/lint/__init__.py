"""``kvnet lint``: kvnet's rules on Kubernetes manifests from any source (SPEC §8).

Front-end to the same rules and output checks the compiler runs: the NADs and VMs found are
turned into the plan model (:mod:`kvnet.lint.assemble`), the plan rules run on it with every
position pointing back into the input (:mod:`kvnet.lint.rules`), each NAD's config goes through
kvnet's CNI schemas (:mod:`kvnet.lint.nads`) and each VM through KubeVirt's admission rules;
the node side is checked against the distribution's profile (:mod:`kvnet.lint.nodeside`).
NetworkPlan documents among the input are compiled as ``kvnet validate`` would.
"""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Sequence

from kvnet.diagnostics import Diagnostic, Report
from kvnet.exitcodes import OK, PROBLEMS, exit_code, fails_strict
from kvnet.input.facts import gather
from kvnet.input.loader import Document
from kvnet.input.model import is_plan_document
from kvnet.lint.assemble import assemble
from kvnet.lint.convert import Conversion
from kvnet.lint.keys import string_keyed
from kvnet.lint.nodeside import node_findings
from kvnet.lint.objects import MNP, find_objects
from kvnet.lint.policies import policy_findings
from kvnet.lint.rules import across_findings, admission_findings, plan_findings
from kvnet.options import BuildOptions
from kvnet.pipeline import compile_documents
from kvnet.profiles import Profile, resolve


@dataclass
class LintResult:
    """Findings sorted by position, and how much was read (for the summary line: NetworkPlans
    and the Kubernetes objects lint knows)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    plans: int = 0
    objects: int = 0
    conversion: Conversion | None = None  # the plan model of the input (what ``kvnet import`` writes)

    def exit_code(self, strict: bool = False) -> int:
        """SPEC §5: 0 ok, 1 errors (or warnings with ``strict``), 2 unreadable input."""
        code = exit_code(self.diagnostics)
        return PROBLEMS if code == OK and fails_strict(self.diagnostics, strict) else code


def _profile(docs: Sequence[Document], distribution: str | None) -> Profile | None:
    """--distribution, else the spec.cluster of a NetworkPlan in the input."""
    if distribution:
        return resolve(None, distribution)
    for doc in docs:
        data = doc.data
        if is_plan_document(data):
            spec = data.get("spec") if isinstance(data, dict) else None
            cluster = spec.get("cluster") if isinstance(spec, dict) else None
            if isinstance(cluster, dict) and isinstance(cluster.get("distribution"), str):
                try:
                    return resolve(cluster)
                except (KeyError, TypeError, AttributeError):
                    return None  # an invalid spec.cluster is reported by the plan's own checks
    return None


def _plan_findings(docs: Sequence[Document], distribution: str | None) -> tuple[int, list[Diagnostic]]:
    """(number of plans, their problems): NetworkPlans among the input, checked as validate does."""
    plan_docs = [d for d in docs if is_plan_document(d.data)]
    if not plan_docs:
        return 0, []
    result = compile_documents(plan_docs, BuildOptions(allow_empty=True, distribution=distribution))
    return len(result.plans), result.diagnostics


def lint_documents(docs: Sequence[Document], distribution: str | None = None) -> LintResult:
    """Every finding of ``docs`` (SPEC §8); ``distribution`` selects the node-side profile."""
    docs, key_errors = string_keyed(docs)
    objects = find_objects(docs)
    report = Report()
    report.extend(key_errors)
    conv = assemble(objects)
    report.extend(conv.findings)
    pairs = [(plan, gather(plan)[0]) for plan in conv.plans.values()]
    for plan, facts in pairs:
        report.extend(plan_findings(plan, facts))
    report.extend(across_findings(pairs))
    report.extend(admission_findings([vm for vm, _, _ in conv.vms]))
    report.extend(policy_findings([f for f in objects if f.kind == MNP], conv))
    report.extend(node_findings(objects, _profile(docs, distribution)))
    plans, problems = _plan_findings(docs, distribution)
    report.extend(problems)
    return LintResult(report.sorted(), plans, len(objects), conv)
