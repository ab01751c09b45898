"""kvnet: a GitOps manifest compiler for KubeVirt VM networking."""

try:  # written by setuptools-scm when kvnet is installed or built (pyproject.toml [tool.setuptools_scm])
    from kvnet._version import __version__
except ImportError:  # a source tree that was never installed: no version can be named
    __version__ = "0.0.0+unknown"
