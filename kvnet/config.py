"""The project configuration file ``.kvnet.yaml``: a team's default flags, kept in its repository.

Found as kube-linter (``.kube-linter.yaml``) and yamllint (``.yamllint``) find theirs: a dotfile
named after the tool, looked up from the current directory, here upwards to the repository root
(the first directory holding ``.git``) as ruff looks up ``ruff.toml``; ``kvnet --config FILE``
names one, ``--no-config`` reads none. YAML, not ``[tool.kvnet]`` in pyproject.toml: GitOps
repositories hold YAML and seldom a pyproject.toml. Precedence: an option on the command line,
then the file, then kvnet's built-in default (click's ``default_map``). The file's keys are the
long options of ``build``, ``validate`` and ``lint`` (each command takes those it has):

    ignore: [KV267]          # --ignore: warnings accepted everywhere
    strict: true             # --strict
    format: github           # --format
    kube-version: "1.31"     # --kube-version (build, validate)
    distribution: k3s        # --distribution
    allow-empty: false       # --allow-empty (build, validate)

Kept light (YAML is imported only when a file is read): ``kvnet --version`` imports this module.
"""

from __future__ import annotations

import os
from typing import Any

import click

from kvnet.codes import CODES, Severity
from kvnet.diagnostics import Loc, error
from kvnet.exitcodes import USAGE

NAME = ".kvnet.yaml"
COMMANDS = ("build", "validate", "lint")
# file key -> (click parameter name, the type its value must have)
KEYS: dict[str, tuple[str, type]] = {
    "ignore": ("ignore", list),
    "strict": ("strict", bool),
    "format": ("fmt", str),
    "kube-version": ("kube_version", str),
    "distribution": ("distribution", str),
    "allow-empty": ("allow_empty", bool),
}


class ConfigError(click.ClickException):
    """A configuration file kvnet cannot use: one KV052 line at its position, exit 2."""

    exit_code = USAGE

    def __init__(self, loc: Loc, message: str) -> None:
        d = error("KV052", message, loc)
        super().__init__(f"{loc}: {d.severity.value}[{d.code}]: {d.message}")

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def find(start: str) -> str | None:
    """The nearest ``.kvnet.yaml`` from ``start`` up to the repository root (None: there is none)."""
    here = os.path.abspath(start)
    while True:
        candidate = os.path.join(here, NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(here)
        if os.path.isdir(os.path.join(here, ".git")) or parent == here:
            return None
        here = parent


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def load(path: str) -> dict[str, Any]:
    """The file's settings as click parameter name -> value; ConfigError when it cannot be used."""
    import yaml  # only when a file is there: `kvnet --version` stays light

    shown = _shown(path)
    try:
        with open(path, encoding="utf-8") as f:
            root = yaml.compose(f.read(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise ConfigError(Loc(shown), f"cannot read the configuration file: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Loc(shown, mark.line + 1, mark.column + 1) if mark else Loc(shown)
        raise ConfigError(where, f"not YAML: {getattr(exc, 'problem', None) or exc}") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(Loc(shown, root.start_mark.line + 1, root.start_mark.column + 1),
                          "the configuration is not a mapping of option names to values")
    out: dict[str, Any] = {}
    for key, value in root.value:
        loc = Loc(shown, key.start_mark.line + 1, key.start_mark.column + 1)
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in KEYS:
            raise ConfigError(loc, f"unknown key {name!r}; known: {', '.join(KEYS)}")
        param, kind = KEYS[name]
        data = yaml.load(yaml.serialize(value), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        vloc = Loc(shown, value.start_mark.line + 1, value.start_mark.column + 1)
        out[param] = _checked(name, data, kind, vloc)
    return out


def _checked(name: str, data: Any, kind: type, loc: Loc) -> Any:
    """``data`` of key ``name`` when it has the type ``kind`` (ignore: known warning codes)."""
    if kind is list and isinstance(data, str):
        data = [data]
    if not isinstance(data, kind) or (kind is str and isinstance(data, bool)):
        raise ConfigError(loc, f"{name}: expected {'a list' if kind is list else kind.__name__}, "
                               f"got {type(data).__name__}")
    if name == "ignore" and isinstance(data, list):
        return _warning_codes(data, loc)
    return data


def _warning_codes(data: list[Any], loc: Loc) -> list[str]:
    """The ``ignore`` list: registered warning codes, upper-cased."""
    for code in data:
        entry = CODES.get(str(code).upper())
        if entry is None or entry.severity is Severity.ERROR:
            why = "no such diagnostic code" if entry is None else "an error; only warnings can be ignored"
            raise ConfigError(loc, f"ignore: {code!r} is {why}")
    return [str(c).upper() for c in data]


def default_map(explicit: str | None, disabled: bool, cwd: str = ".") -> tuple[str | None, dict[str, Any]]:
    """(the file read, click's ``default_map`` for the commands that take these options)."""
    if disabled:
        return None, {}
    path = explicit or find(cwd)
    if path is None:
        return None, {}
    if explicit and not os.path.isfile(explicit):
        raise ConfigError(Loc(explicit), "the configuration file does not exist")
    settings = load(path)
    return path, {command: dict(settings) for command in COMMANDS}
