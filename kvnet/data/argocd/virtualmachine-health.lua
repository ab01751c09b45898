-- Argo CD health of a kubevirt.io/VirtualMachine, as kvnet sees it (kvnet argocd config).
-- Lua 5.1 (Argo CD runs gopher-lua). Reads what KubeVirt writes: status.printableStatus
-- (api/core/v1 VirtualMachinePrintableStatus), the Ready, Paused, Failure and RestartRequired
-- conditions, spec.runStrategy / spec.running, metadata.deletionTimestamp.
--   Healthy      running and Ready
--   Progressing  no status yet, starting, migrating, stopping, being deleted; running but not
--                Ready; or RestartRequired: the VM runs its old spec (a changed NIC, MAC or
--                cloud-init networkData) until it is restarted (virtctl restart)
--   Suspended    paused, or stopped because its runStrategy says so (Halted, Manual, running: false)
--   Degraded     a Failure condition, or a printableStatus that only a fix brings out of
--                (image pull, crash loop, unschedulable, missing volume)
local hs = {status = "Progressing", message = "waiting for KubeVirt to report the VM's status"}
local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end
local function says(c)
  local text = c.type
  if c.reason ~= nil and c.reason ~= "" then
    text = text .. " (" .. c.reason .. ")"
  end
  if c.message ~= nil and c.message ~= "" then
    text = text .. ": " .. c.message
  end
  return text
end
local failing = {
  ErrImagePull = true, ImagePullBackOff = true, CrashLoopBackOff = true, ErrorUnschedulable = true,
  ErrorPvcNotFound = true, ErrorDataVolumeNotFound = true, DataVolumeError = true, Unknown = true,
}
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.message = "being deleted"
  return hs
end
if obj.status == nil then
  return hs
end
local printable = obj.status.printableStatus or ""
local failure = condition("Failure")
if failure ~= nil and failure.status == "True" then
  hs.status = "Degraded"
  hs.message = says(failure)
  return hs
end
if failing[printable] then
  hs.status = "Degraded"
  hs.message = printable
  local ready = condition("Ready")
  if ready ~= nil and ready.message ~= nil and ready.message ~= "" then
    hs.message = printable .. ": " .. ready.message
  end
  return hs
end
local paused = condition("Paused")
if printable == "Paused" or (paused ~= nil and paused.status == "True") then
  hs.status = "Suspended"
  hs.message = "Paused"
  return hs
end
local strategy = obj.spec ~= nil and obj.spec.runStrategy or nil
if strategy == nil and obj.spec ~= nil and obj.spec.running == false then
  strategy = "Halted"
end
if printable == "Stopped" then
  if strategy == "Halted" or strategy == "Manual" then
    hs.status = "Suspended"
    hs.message = "Stopped (runStrategy " .. strategy .. ")"
  else
    hs.message = "Stopped; KubeVirt starts it (runStrategy " .. (strategy or "Always") .. ")"
  end
  return hs
end
local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  local restart = condition("RestartRequired")
  if restart ~= nil and restart.status == "True" then
    hs.message = "RestartRequired: the VM runs its previous spec until it restarts (virtctl restart)"
    return hs
  end
  hs.status = "Healthy"
  hs.message = printable ~= "" and printable or "Running"
  return hs
end
if printable ~= "" then
  hs.message = printable
end
if ready ~= nil and ready.status ~= "True" and ready.message ~= nil and ready.message ~= "" then
  hs.message = hs.message .. ": " .. ready.message
end
return hs
