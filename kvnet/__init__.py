"""kvnet: a GitOps manifest compiler for KubeVirt VM networking."""

__version__ = "0.1.0"
