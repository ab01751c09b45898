"""kustomize legacy exec plugin: a NetworkPlan as a ``generators:`` entry.

kustomize (``--enable-alpha-plugins``) looks for the executable at
``<plugin home>/kvnet.dev/v1alpha1/networkplan/NetworkPlan`` and runs it with the path
of a temp file holding the generator config (the plan document, re-serialised:
sorted keys, no comments) as argv[1], in the kustomization's directory.

kustomize does not say which file the config came from, so kvnet looks for it among
the kustomization's ``generators:`` files (same content). Found: diagnostics carry
that file's real lines and ``kvnet.dev/source`` its name relative to its own directory
(the plan root), as ``kvnet build <that directory>`` writes it. Not found (an inline
generator, say): problems are named ``NetworkPlan/<name>: <field path>``.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from kvnet.record import dataclass, replace
from typing import Any

from kvnet.adapters.outcome import Outcome
from kvnet.adapters.plandoc import Candidate, find_original, locate, placeholder_name, strip_orchestrator_metadata
from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.emit import to_yaml
from kvnet.exitcodes import exit_code
from kvnet.input.document import Document
from kvnet.input.loader import LoadError, load_file
from kvnet.options import BuildOptions
from kvnet.output import make_dirs, write_file
from kvnet.pipeline import compile_documents

PLUGIN_SUBPATH = ("kvnet.dev", "v1alpha1", "networkplan", "NetworkPlan")
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def plugin_home(env: Mapping[str, str], explicit: str | None = None) -> str:
    """kustomize's plugin home: --plugin-home, $KUSTOMIZE_PLUGIN_HOME, $XDG_CONFIG_HOME/kustomize/plugin,
    ~/.config/kustomize/plugin."""
    if explicit:
        return explicit
    if env.get("KUSTOMIZE_PLUGIN_HOME"):
        return env["KUSTOMIZE_PLUGIN_HOME"]
    if env.get("XDG_CONFIG_HOME"):
        return os.path.join(env["XDG_CONFIG_HOME"], "kustomize", "plugin")
    home = env.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".config", "kustomize", "plugin")


def plugin_path(home: str) -> str:
    return os.path.join(home, *PLUGIN_SUBPATH)


def plugin_script(python: str) -> str:
    """The installed executable: run ``kvnet kustomize exec`` with the interpreter kvnet is installed in."""
    return ("#!/bin/sh\n"
            "# kustomize exec plugin for kvnet.dev/v1alpha1 NetworkPlan; written by `kvnet kustomize install-plugin`.\n"
            f"exec {shlex.quote(python)} -m kvnet kustomize exec \"$@\"\n")


def install(home: str, python: str) -> str:
    """Write the plugin executable (atomically) and return its path."""
    path = plugin_path(home)
    make_dirs(os.path.dirname(path))
    write_file(path, plugin_script(python), mode=0o755)
    return path


@dataclass(frozen=True)
class ExecInputs:
    """``config_path``: kustomize's temp copy of the generator config (argv[1]); ``root``: the
    kustomization directory (the plugin's working directory)."""

    config_path: str
    root: str


def _kustomization(root: str) -> Document | None:
    """The kustomization of ``root`` (None: none, or not readable: kustomize reports that)."""
    for name in KUSTOMIZATION_NAMES:
        path = os.path.join(root, name)
        if not os.path.isfile(path):
            continue
        try:
            docs = load_file(path, name, name)
        except LoadError:
            return None
        return docs[0] if docs and isinstance(docs[0].data, dict) else None
    return None


def namespace_move(root: str, objects: list[dict[str, Any]]) -> Diagnostic | None:
    """KV056 when the kustomization's ``namespace:`` would move kvnet's objects away from what
    they name: kustomize's namespace transformer rewrites ``metadata.namespace`` (and the
    subjects of RoleBindings), no KubeVirt field, so a VM keeps ``multus.networkName:
    <old>/<nad>`` while its NAD moves, and the node side leaves ``kube-system`` (issue 26). A
    plan without ``metadata.namespace`` names its NADs without one, which survives the move."""
    doc = _kustomization(root)
    target = doc.data.get("namespace") if doc is not None else None
    if doc is None or not isinstance(target, str) or not target:
        return None
    moved = _stranded(objects, target)
    system = sorted({o["kind"] for o in objects if o["metadata"].get("namespace") == "kube-system"
                     and target != "kube-system"})
    if not moved and not system:
        return None
    what = (f"the VMs would still name NADs {', '.join(repr(m) for m in moved)} in the old namespace"
            if moved else f"it would move {', '.join(system)} out of kube-system")
    return error("KV056", f"the kustomization's 'namespace: {target}' rewrites metadata.namespace of kvnet's "
                 f"objects but not what they name: {what}", doc.loc(("namespace",)),
                 hint=f"remove 'namespace:' from the kustomization and give the plan 'metadata.namespace: {target}'")


def _stranded(objects: list[dict[str, Any]], target: str) -> list[str]:
    """The ``multus.networkName`` values naming the plan's own NADs outside ``target``."""
    nads = {(o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects
            if o.get("kind") == "NetworkAttachmentDefinition"}
    refs = {n["multus"]["networkName"] for o in objects if o.get("kind") == "VirtualMachine"
            for n in o["spec"]["template"]["spec"].get("networks", []) if "multus" in n}
    return sorted(r for r in refs if tuple(r.partition("/")[::2]) in nads and not r.startswith(f"{target}/"))


def _generator_files(root: str) -> list[str]:
    """Local files listed under ``generators:`` of the kustomization in ``root``."""
    doc = _kustomization(root)
    if doc is not None:
        data = doc.data
        entries = data.get("generators") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return []
        return [e for e in entries if isinstance(e, str) and "\n" not in e and not e.startswith(("http://", "https://"))]
    return []


def run(inputs: ExecInputs, options: BuildOptions) -> Outcome:
    """Compile the generator config: the manifests on stdout, or diagnostics and a non-zero exit.

    Found among the kustomization's ``generators:`` files, the plan's problems point into the
    user's file; otherwise they are in the field-path form (``NetworkPlan/<name>: spec.…``).
    """
    try:
        docs = load_file(inputs.config_path, "<kustomize generator config>")
    except LoadError as exc:
        return Outcome(diagnostics=[exc.diag], exit_code=exit_code([exc.diag], unusable_input=True))
    data_docs = [d for d in docs if d.data is not None]
    if len(data_docs) != 1 or not isinstance(data_docs[0].data, dict):
        diag = error("KV970", f"the kustomize generator config {inputs.config_path} is not one YAML mapping "
                     f"(it holds {len(data_docs)} document(s))", Loc(inputs.config_path))
        return Outcome(diagnostics=[diag], exit_code=exit_code([diag]))
    doc = data_docs[0]
    # kvnet.dev/source is the path relative to the plan root, the directory holding the plan
    # (SPEC §6): for ``generators: [plans/lab.yaml]`` that is ``lab.yaml``, as ``kvnet build plans`` writes it.
    candidates = [Candidate(os.path.join(inputs.root, e), os.path.normpath(e),
                            os.path.basename(os.path.normpath(e))) for e in _generator_files(inputs.root)]
    original = find_original(doc.data, candidates)
    if original is not None:
        doc = original
    else:
        doc.file = doc.source = placeholder_name(doc.data)
        strip_orchestrator_metadata(doc.data)
    # SPEC §7: kvnet.lock beside the generator file (read only); an inline generator: the kustomization's
    lock_dir = os.path.join(inputs.root, os.path.dirname(original.file)) if original is not None else inputs.root
    result = compile_documents([doc], replace(options, lock_dir=lock_dir))
    diags = result.diagnostics if original is not None else locate(result.diagnostics, doc)
    moved = namespace_move(inputs.root, result.objects) if result.ok else None
    if moved is not None:
        return Outcome("", diags + [moved], exit_code(diags + [moved]))
    return Outcome(to_yaml(result.objects) if result.ok else "", diags, result.exit_code)
