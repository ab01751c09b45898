"""Compile options shared by every entry point (CLI, Argo CD CMP, kustomize, KRM): the one
place their defaults live. The usage checks of their values are in :mod:`kvnet.usage`."""

from __future__ import annotations

from kvnet.record import dataclass, field

from kvnet.about import DEFAULT_KUBE_VERSION  # SPEC §4: kubernetes-validate's --kube-version default


@dataclass
class BuildOptions:
    """How one compile runs.

    ``kube_version``: Kubernetes major.minor the core kinds are validated against (SPEC §4);
    ``crds``: extra CRD files whose schemas validate matching objects; ``allow_empty``: an empty
    manifest set is not an error (SPEC §5); ``distribution``: overrides spec.cluster.distribution;
    ``validate_output``: check every emitted object; ``merge_units``: True (build) puts the objects
    of every directory into one stream, so two directories may not emit the same object; False
    (validate) checks each directory as the app it is; ``lock_dir``: the directory whose
    kvnet.lock every plan reads (adapters whose plan is not a file on disk), None: the lock beside
    each plan's first file (SPEC §7); ``input_root``: when set (Argo CD, the
    repository checkout), every file read must resolve inside it, so a symbolic link in the app
    directory cannot pull in files from elsewhere on the repo server; ``manifests``: pass the
    plain Kubernetes manifests among the input through with the plans' objects, checked as
    they are (kvnet.input.manifests; the Argo CD plugin's default). ``recursive``: every
    directory below a directory argument is read too, each as its own unit (``-r``).
    ``ignore``: warning codes accepted everywhere (``--ignore``; kvnet.suppress, which also
    honours ``# kvnet: ignore[KVnnn]: reason`` comments in the input files). ``render``: the
    result holds each object as its YAML text (``BuildResult.documents``), rendered as soon as it
    is checked, instead of the objects (``kvnet build``: peak memory, issue 28).
    """

    kube_version: str = DEFAULT_KUBE_VERSION
    crds: list[str] = field(default_factory=list)
    allow_empty: bool = False
    distribution: str | None = None
    validate_output: bool = True
    merge_units: bool = True
    lock_dir: str | None = None
    input_root: str | None = None
    manifests: bool = False
    recursive: bool = False
    ignore: tuple[str, ...] = ()
    render: bool = False
