"""Thin adapters between GitOps tools and kvnet's compiler.

Each adapter turns what its tool hands over (Argo CD's environment, a kustomize
generator config, a KRM ``ResourceList``) into a ``compile_documents`` or
``compile_paths`` call. Environment variables reach these modules only as
mappings passed in by the command layer, so every adapter is testable without
touching ``os.environ``.
"""
