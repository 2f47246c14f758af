namespace VirtCca.Tmm.Abi;

/// <summary>
/// The interface KVM drives the TMM through: Arm's RMI v1.0 (granule delegation, RTTs, RECs), or
/// virtCCA's own TMI as the openEuler kernel calls it (ABI major 2: the TMM allocates from its pool,
/// TTT_MAP_RANGE, TECs). One per machine: the firmware ships one TMM.
/// </summary>
public enum HostAbi { Rmi, Tmi }
