"""Thin adapters between GitOps tools and kvnet's pipeline.

Each adapter (``argocd``: Argo CD CMP, ``kustomize``: kustomize exec plugin, ``krm``: KRM
function, ``rendered``: check-rendered) exposes ``run(inputs, BuildOptions) -> Outcome``
(:mod:`kvnet.adapters.outcome`): it turns what its tool hands over (Argo CD's environment, a
kustomize generator config, a KRM ``ResourceList``, plan directories) into pipeline calls and
returns stdout, diagnostics and the exit code; the command in ``kvnet.commands`` writes them.
Environment variables reach these modules only as mappings passed in by the command layer,
so every adapter is testable without touching ``os.environ``.
"""
