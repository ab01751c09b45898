"""``external``: a NAD kvnet does not write, named by ``nad: <namespace>/<name>`` (SPEC §9). Its
plugin is unknown, so no binding is refused and its addresses are someone else's."""

from kvnet.nettypes.spec import NetType, Requirement

EXTERNAL = NetType(
    name="external", cni_type=None, fields=("nad",),
    required=(Requirement(("nad",), "'nad', the '<namespace>/<name>' of the NetworkAttachmentDefinition to "
                          "attach to", "e.g. 'nad: team-net/shared-lan'"),),
    example={"nad": "other-team/shared-lan"}, any_binding=True,
    ipam_owner="kvnet does not write the NAD of an external network",
)
