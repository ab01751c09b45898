-- Argo CD health of a nmstate.io/NodeNetworkConfigurationPolicy kvnet wrote (kvnet argocd config).
-- Lua 5.1 (gopher-lua). Conditions from kubernetes-nmstate's API
-- (api/shared/nodenetworkconfigurationpolicy_types.go): Available, Degraded, Progressing, and
-- Ignored (reason NoMatchingNode). kvnet writes a policy because the plan's VMs need its node
-- bridge, so a policy that matches no node is Degraded here, not Suspended: no node gets the
-- bridge and no VM on that network can start (check spec.cluster.nodeSelector).
local hs = {status = "Progressing", message = "waiting for kubernetes-nmstate to apply the policy"}
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.message = "being deleted"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local verdict = {Degraded = "Degraded", Ignored = "Degraded", Progressing = "Progressing", Available = "Healthy"}
local order = {"Degraded", "Ignored", "Progressing", "Available"}
for _, kind in ipairs(order) do
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind and c.status == "True" then
      hs.status = verdict[kind]
      hs.message = c.reason or kind
      if c.message ~= nil and c.message ~= "" then
        hs.message = hs.message .. ": " .. c.message
      end
      if kind == "Ignored" then
        hs.message = hs.message .. " (no node matches the policy's nodeSelector: no node gets the bridge)"
      end
      return hs
    end
  end
end
return hs
