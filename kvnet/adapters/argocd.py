"""Argo CD Config Management Plugin (v2 sidecar): settings from the build environment.

Argo CD runs ``generate.command`` in the Application's source directory with

* ``ARGOCD_APP_PARAMETERS``: JSON list of the Application's ``spec.source.plugin.parameters``,
  each ``{"name": ..., "string"|"array"|"map": ...}``;
* ``ARGOCD_ENV_<NAME>`` for every ``spec.source.plugin.env`` entry (Argo CD adds the prefix);
* ``ARGOCD_APP_NAME``, ``ARGOCD_APP_SOURCE_PATH``, ``ARGOCD_APP_REVISION``, ``KUBE_VERSION`` …

kvnet's settings, parameter name / env name (a parameter wins over the env variable):

=============  ===========================  =============================================
kube-version   KVNET_KUBE_VERSION           default: the destination's ``KUBE_VERSION``
                                            (major.minor) when kvnet has its schemas, else 1.31
distribution   KVNET_DISTRIBUTION           overrides ``spec.cluster.distribution``
allow-empty    KVNET_ALLOW_EMPTY            boolean; default false
strict         KVNET_STRICT                 boolean; warnings fail the generation
paths          KVNET_PATHS                  plan files/directories (array, or comma-separated),
                                            relative to the app directory; default ``.``
crds           KVNET_CRDS                   extra CRD files for output validation (same form)
manifests      KVNET_MANIFESTS              boolean; default true: pass plain manifests through
=============  ===========================  =============================================

Unknown ``kvnet``-looking names are errors (a typo should not silently change nothing), and
so is a bad value from either source, also when the other source's value wins.
Paths must stay inside the repository checkout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from kvnet.record import dataclass, field, replace
from typing import Any

from kvnet.input.discover import inside
from kvnet.adapters.outcome import Outcome
from kvnet.diagnostics import Diagnostic, shorten
from kvnet.emit import to_yaml
from kvnet.exitcodes import PROBLEMS, USAGE, fails_strict
from kvnet.options import BuildOptions
from kvnet.pipeline import compile_paths
from kvnet.usage import distribution_problem, kube_version_problem

# parameter name -> (env name without ARGOCD_ENV_, kind)
SETTINGS: dict[str, tuple[str, str]] = {
    "kube-version": ("KVNET_KUBE_VERSION", "string"),
    "distribution": ("KVNET_DISTRIBUTION", "string"),
    "allow-empty": ("KVNET_ALLOW_EMPTY", "bool"),
    "strict": ("KVNET_STRICT", "bool"),
    "paths": ("KVNET_PATHS", "list"),
    "crds": ("KVNET_CRDS", "list"),
    "manifests": ("KVNET_MANIFESTS", "bool"),  # the app's other manifests (kvnet.input.manifests)
}
ENV_PREFIX = "ARGOCD_ENV_"
TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off", "")


class SettingsError(Exception):
    """A problem with the plugin's parameters or env; a usage error (exit 2)."""


@dataclass(frozen=True)
class AppContext:
    name: str
    source_path: str
    revision: str

    def failure_line(self) -> str:
        return (f"kvnet: Argo CD app {self.name or '<unknown>'}: cannot generate manifests "
                f"(path {self.source_path or '.'}, revision {self.revision or '<unknown>'})")

    def repo_relative(self, file: str) -> str:
        """A diagnostic's file name as seen from the repository root."""
        base = self.source_path.strip("/")
        if not base or base == "." or file.startswith("<") or os.path.isabs(file):
            return file
        return os.path.normpath(os.path.join(base, file)).replace(os.sep, "/")


@dataclass
class CmpSettings:
    """The plugin's settings: the compile options (defaults from BuildOptions) plus ``strict``
    (warnings fail the generation), ``paths`` and ``notes`` (informational lines for stderr)."""

    kube_version: str
    distribution: str | None
    allow_empty: bool
    crds: list[str]
    strict: bool = False
    manifests: bool = True
    paths: list[str] = field(default_factory=lambda: ["."])
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, base: BuildOptions) -> CmpSettings:
        return cls(base.kube_version, base.distribution, base.allow_empty, list(base.crds))

    def options(self, base: BuildOptions) -> BuildOptions:
        """``base`` with the settings' compile options."""
        return replace(base, kube_version=self.kube_version, distribution=self.distribution,
                       allow_empty=self.allow_empty, crds=list(self.crds), manifests=self.manifests)


def app_context(env: Mapping[str, str]) -> AppContext:
    return AppContext(env.get("ARGOCD_APP_NAME", ""), env.get("ARGOCD_APP_SOURCE_PATH", ""),
                      env.get("ARGOCD_APP_REVISION", ""))


def _parameters(env: Mapping[str, str]) -> dict[str, tuple[str, Any]]:
    """name -> (origin, value) from ARGOCD_APP_PARAMETERS."""
    raw = env.get("ARGOCD_APP_PARAMETERS", "").strip()
    if not raw:
        return {}
    try:
        items = json.loads(raw)
    except ValueError as exc:
        raise SettingsError(f"ARGOCD_APP_PARAMETERS is not JSON: {exc}") from None
    except RecursionError:  # json's decoder recurses once per nested list or object
        raise SettingsError("ARGOCD_APP_PARAMETERS nests too deeply to be parameters") from None
    if items is None:
        return {}
    if not isinstance(items, list):
        raise SettingsError("ARGOCD_APP_PARAMETERS must be a JSON list of {name, string|array|map}")
    out: dict[str, tuple[str, Any]] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise SettingsError(f"ARGOCD_APP_PARAMETERS: entry {shorten(repr(item))} has no name")
        name = item["name"]
        origin = f"parameter {shorten(repr(name))}"
        if name not in SETTINGS:
            raise SettingsError(f"unknown parameter {shorten(repr(name))}; kvnet knows: {', '.join(SETTINGS)}")
        values = [k for k in ("string", "array", "map") if k in item]
        if len(values) != 1:
            raise SettingsError(f"{origin} needs exactly one of string, array, map")
        out[name] = (origin, item[values[0]])
    return out


def _env_settings(env: Mapping[str, str]) -> dict[str, tuple[str, Any]]:
    by_env = {env_name: name for name, (env_name, _) in SETTINGS.items()}
    out: dict[str, tuple[str, Any]] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX + "KVNET_"):
            continue
        short = key[len(ENV_PREFIX):]
        if short not in by_env:
            known = ", ".join(env_name for env_name, _ in SETTINGS.values())
            raise SettingsError(f"unknown plugin env {short} ({key}); kvnet knows: {known}")
        out[by_env[short]] = (f"env {short}", value)
    return out


def _as_string(origin: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{origin} must be a string")
    return value.strip()


def _as_bool(origin: str, value: Any) -> bool:
    text = _as_string(origin, value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise SettingsError(f"{origin}: {shorten(repr(value))} is not a boolean (true or false)")


def _as_list(origin: str, value: Any) -> list[str]:
    if isinstance(value, str):
        parts = value.replace("\n", ",").split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = value
    else:
        raise SettingsError(f"{origin} must be an array of strings or a comma-separated string")
    return [p.strip() for p in parts if p.strip()]


def repo_root(cwd: str, source_path: str) -> str:
    """The checkout's root: the app directory minus ARGOCD_APP_SOURCE_PATH."""
    real = os.path.realpath(cwd)
    rel = source_path.strip("/")
    if not rel or rel == ".":
        return real
    rel = os.path.normpath(rel)
    if real == rel or real.endswith(os.sep + rel):
        return real[: len(real) - len(rel)].rstrip(os.sep) or os.sep
    return real


def check_path(origin: str, path: str, cwd: str, root: str) -> None:
    if "\0" in path:
        raise SettingsError(f"{origin}: {shorten(repr(path))} holds a NUL character; no path can")
    if os.path.isabs(path):
        raise SettingsError(f"{origin}: {shorten(repr(path))} is absolute; give a path relative to the app directory")
    if not inside(os.path.join(cwd, path), root):
        raise SettingsError(f"{origin}: {shorten(repr(path))} leads outside the repository")


def _default_kube_version(env: Mapping[str, str], fallback: str, notes: list[str]) -> str:
    """The destination's KUBE_VERSION (major.minor) when kvnet has its schemas, else ``fallback``."""
    cluster = env.get("KUBE_VERSION", "").strip().lstrip("v")
    if not cluster:
        return fallback
    major_minor = ".".join(cluster.split("+")[0].split("-")[0].split(".")[:2])
    if kube_version_problem(major_minor) is None:
        return major_minor
    notes.append(f"kvnet: destination cluster is Kubernetes {cluster}; kvnet has no schemas for it, "
                 f"validating against {fallback} (set parameter kube-version to choose)")
    return fallback


def _parse(name: str, origin: str, value: Any, cwd: str, root: str) -> Any:
    """One setting's value from one source, checked; raises SettingsError naming ``origin``."""
    kind = SETTINGS[name][1]
    if kind == "bool":
        return _as_bool(origin, value)
    if kind == "list":
        items = _as_list(origin, value)
        for path in items:
            check_path(origin, path, cwd, root)
            if name == "crds" and not os.path.isfile(os.path.join(cwd, path)):
                raise SettingsError(f"{origin}: {path}: no such file")
        return items
    text = _as_string(origin, value)
    if text:  # empty: the default
        problem = kube_version_problem(text) if name == "kube-version" else distribution_problem(text)
        if problem:
            raise SettingsError(f"{origin}: {problem}")
    return text


def settings(env: Mapping[str, str], cwd: str, base: BuildOptions | None = None) -> CmpSettings:
    """The plugin's settings, defaults from ``base``; raises SettingsError on a usage problem.

    Every given value is checked, the env variable's too when a parameter of the same
    setting wins over it: a bad value is a usage error wherever it is.
    """
    from_env = _env_settings(env)
    from_params = _parameters(env)
    root = repo_root(cwd, env.get("ARGOCD_APP_SOURCE_PATH", ""))
    given: dict[str, Any] = {}
    for source in (from_env, from_params):  # parameters win over env
        for name, (origin, value) in sorted(source.items()):
            given[name] = _parse(name, origin, value, cwd, root)
    base = base or BuildOptions()
    out = CmpSettings.of(base)
    for name, value in given.items():
        kind = SETTINGS[name][1]
        if kind in ("bool", "list"):
            setattr(out, name.replace("-", "_"), value)
        elif name == "kube-version" and value:
            out.kube_version = value
        elif name == "distribution" and value:
            out.distribution = value
    if not given.get("kube-version"):
        out.kube_version = _default_kube_version(env, base.kube_version, out.notes)
    if not out.paths:
        out.paths = ["."]
    return out


@dataclass(frozen=True)
class CmpInputs:
    """What argocd-cmp-server hands over: the environment and the app's source directory."""

    env: Mapping[str, str]
    cwd: str


def run(inputs: CmpInputs, options: BuildOptions) -> Outcome:
    """Compile the app directory: manifests on stdout, or nothing, the failure line (app, path,
    revision) first on stderr, and a non-zero exit. ``options`` gives the defaults the plugin's
    parameters and env override; a bad setting is a usage error (exit 2)."""
    app = app_context(inputs.env)
    try:
        conf = settings(inputs.env, inputs.cwd, options)
    except SettingsError as exc:
        return Outcome(notes=[app.failure_line(), f"kvnet: {exc}"], exit_code=USAGE)
    # every file read must resolve inside the checkout (a link cannot pull in the repo server's files)
    root = repo_root(inputs.cwd, inputs.env.get("ARGOCD_APP_SOURCE_PATH", ""))
    result = compile_paths(conf.paths, replace(conf.options(options), input_root=root))
    diags = [_for_argocd(d, app.repo_relative) for d in result.diagnostics]
    if result.ok and not fails_strict(diags, conf.strict):
        return Outcome(to_yaml(result.objects), diags, notes=conf.notes)
    notes = [app.failure_line(), *conf.notes]  # Argo CD shows the first line: the app's
    if result.ok:
        notes.append("kvnet: warnings fail the generation (strict is set)")
    return Outcome("", diags, result.exit_code or PROBLEMS, notes)


def _for_argocd(d: Diagnostic, relative: Callable[[str], str]) -> Diagnostic:
    """File names relative to the repository root; hints in terms of the plugin's parameters."""
    d = replace(d, file=relative(d.file if d.file != "<input>" else "."))
    if d.code == "KV006":
        d = replace(d, hint="Argo CD would prune every object of the app; set the plugin parameter "
                            "allow-empty to 'true' if that is intended")
    return d
