"""DaemonSet ``kvnet-cni-plugins``: copies the reference CNI plugins from ``plugins.image``
into the profile's bin dir, skipping flannel and never replacing an existing entry
(the distribution's own plugins, including k3s's absolute symlinks, stay untouched)."""

from __future__ import annotations

from typing import Any

from kvnet import labels as meta
from kvnet.input.cluster_settings import NAMESPACE, ClusterSettings
from kvnet.input.model import Plan
from kvnet.profiles import PLUGINS_IMAGE_DIR, PLUGINS_NEVER_INSTALLED, Profile

NAME = "kvnet-cni-plugins"
DEST = "/host/opt/cni/bin"
LABELS = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "cni-plugins"}

# POSIX sh only: parameter expansion instead of basename; a temp file + rename so that the
# runtime never executes a half-written plugin; -L so a dangling k3s symlink counts as present.
INSTALL_SCRIPT = """\
set -eu
for src in "$SRC"/*; do
  name="${src##*/}"
  case " $SKIP " in *" $name "*) echo "kvnet: skipping $name"; continue;; esac
  [ -f "$src" ] || continue
  if [ -e "$DEST/$name" ] || [ -L "$DEST/$name" ]; then echo "kvnet: keeping existing $name"; continue; fi
  cp "$src" "$DEST/.kvnet-$name.tmp"
  chmod 0755 "$DEST/.kvnet-$name.tmp"
  mv "$DEST/.kvnet-$name.tmp" "$DEST/$name"
  echo "kvnet: installed $name"
done
"""

SLEEP_SCRIPT = "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done\n"


def installer_daemonset(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> dict[str, Any]:
    env = [{"name": "SRC", "value": PLUGINS_IMAGE_DIR}, {"name": "DEST", "value": DEST},
           {"name": "SKIP", "value": " ".join(PLUGINS_NEVER_INSTALLED)}]
    pod = {
        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "NoExecute"}],
        "priorityClassName": "system-node-critical",
        "automountServiceAccountToken": False,
        "initContainers": [{
            "name": "install-cni-plugins",
            "image": cfg.plugins_image,
            "command": ["/bin/sh", "-c", INSTALL_SCRIPT],
            "env": env,
            "resources": {"requests": {"cpu": "10m", "memory": "15Mi"}, "limits": {"memory": "50Mi"}},
            "securityContext": {"privileged": True},
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [{"name": "cnibin", "mountPath": DEST}],
        }],
        "containers": [{
            "name": "idle",
            "image": cfg.plugins_image,
            "command": ["/bin/sh", "-c", SLEEP_SCRIPT],
            "resources": {"requests": {"cpu": "1m", "memory": "4Mi"}, "limits": {"memory": "16Mi"}},
            "terminationMessagePolicy": "FallbackToLogsOnError",
        }],
        "terminationGracePeriodSeconds": 5,
        "volumes": [{"name": "cnibin", "hostPath": {"path": profile.bin_dir, "type": "DirectoryOrCreate"}}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta.metadata(NAME, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER, labels=LABELS),
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": NAME}},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {"metadata": {"labels": dict(LABELS)}, "spec": pod},
        },
    }
