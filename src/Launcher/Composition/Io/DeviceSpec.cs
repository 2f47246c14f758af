using VirtCca.Devices.Block;
using VirtCca.Devices.Network;
using VirtCca.Devices.Virtio.Backend;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Devices.Virtio.Swiotlb;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Composition.Io;

public enum DeviceType { VirtioBlk, VirtioNet }

/// <summary>
/// One virtio device of a guest (HOCON <c>machine.guests[i].devices</c>): its kind, where its
/// backend runs (<c>vhost</c> in the host kernel through an ioeventfd, or <c>user</c> in the VMM),
/// on which CPU the backend's thread runs (a PE of the machine, or a dedicated I/O core), its
/// queues and their size, and event-index negotiation.
/// </summary>
public sealed record DeviceSpec
{
    public required string Name { get; init; }
    public required DeviceType Type { get; init; }
    public BackendMode Backend { get; init; } = BackendMode.Vhost;
    /// <summary>The PE the backend's host thread runs on, or null: a dedicated I/O core at the platform clock.</summary>
    public int? HostPe { get; init; }
    public bool EventIdx { get; init; } = true;
    /// <summary>Descriptors per virtqueue (a power of two).</summary>
    public ushort QueueSize { get; init; } = 256;
    /// <summary>virtio-blk queues, or virtio-net queue pairs; each has its own backend (vhost device) and interrupt vector(s) affine to vCPU q mod vCPUs.</summary>
    public int Queues { get; init; } = 1;
    /// <summary>virtio-net: receive buffers of this size (mergeable: a bigger packet spans several).</summary>
    public int RxBufferBytes { get; init; } = 2048;
    /// <summary>virtio-net: the largest Ethernet payload the guest sends (a transmit slot holds it with its headers).</summary>
    public int MaxPacketBytes { get; init; } = 1500;

    public bool IsBlk => Type == DeviceType.VirtioBlk;
    public int Vectors => IsBlk ? Queues : 2 * Queues;
}

/// <summary>The machine's I/O hardware and the costs of its I/O software (HOCON machine.nvme, machine.nic, platform.virtio).</summary>
public sealed record IoPlatform
{
    public VirtioDriverCosts Driver { get; init; } = new();
    public BackendCosts Vhost { get; init; } = BackendCosts.Vhost;
    public BackendCosts User { get; init; } = BackendCosts.User;
    /// <summary>A realm's bounce pool (the pool's size is the guest's: realm.swiotlb).</summary>
    public SwiotlbSettings Swiotlb { get; init; } = new();
    /// <summary>Host-side hand-offs through memory: a vCPU and a backend thread, a backend and KVM's irqfd, the irqfd and a vCPU's CPU, a backend and the bridge.</summary>
    public SimTime HostLink { get; init; } = SimTime.FromNanoseconds(100);
    /// <summary>A device's doorbell or interrupt over PCIe: a backend and the NVMe device, the bridge and the NIC.</summary>
    public SimTime PcieLink { get; init; } = SimTime.FromNanoseconds(200);

    public BackendCosts CostsOf(BackendMode mode) => mode == BackendMode.User ? User : Vhost;
}

/// <summary>A machine's block device and NIC (the NIC only matters on a network).</summary>
public sealed record MachineHardware
{
    public NvmeSettings Nvme { get; init; } = new();
    public NicSettings Nic { get; init; } = new();
}
