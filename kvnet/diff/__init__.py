"""``kvnet diff``: what a plan change does to running VMs, and how live state differs from
the plan (issue 22).

Modules: :mod:`~kvnet.diff.revisions` (the two sides: git revisions or directories),
:mod:`~kvnet.diff.classes` (the effect classes as data, with their KubeVirt sources),
:mod:`~kvnet.diff.refine` (table entries that depend on both objects),
:mod:`~kvnet.diff.compare` (objects field by field), :mod:`~kvnet.diff.addresses`
(kvnet.lock entries, a NAD's users), :mod:`~kvnet.diff.locate` (the plan line of a change),
:mod:`~kvnet.diff.run` (the whole run), :mod:`~kvnet.diff.report` / :mod:`~kvnet.diff.report_md`
(text, JSON, markdown, GitHub annotations). Free of click, stdout and the environment.
"""
