"""``kvnet verify``: run NetworkAttachmentDefinition configs through the real CNI plugins.

Each NAD's ``spec.config`` goes through ADD, CHECK and DEL of the reference plugins, in a
throwaway pair of network namespaces: a "node" namespace holding stand-ins for the
node's uplinks and bridges, and a "pod" namespace the plugin puts the interface into.
Nothing runs in the host's namespace and nothing is sent beyond the namespaces created.

Modules: ``netns`` (session: namespaces, child processes, cleanup), ``kernel`` (feature
probes), ``plugins`` (CNI config parsing and execution), ``checks`` (address
expectations), ``inputs`` (reading NADs and plans), ``runner`` (per-NAD cycle, thread
pool), ``report`` (text/json/github rendering), ``command`` (the CLI entry point).
"""

from __future__ import annotations
