namespace VirtCca.Devices;

/// <summary>
/// Every event kind the devices send or accept, in one place so that no two devices collide and a
/// requester on another node needs only this class and the .proto files: TZASC 0x61xx, SMMU 0x62xx,
/// GIC 0x63xx, virtio 0x64xx, block device 0x65xx, network 0x66xx. A component's own timers use
/// 0x..Fx kinds of its range. The per-actor constants (<c>TzascActor.KindRead</c> …) are aliases of these.
/// See PROTOCOL.md beside this file for the argument and payload of each.
/// </summary>
public static class DeviceKinds
{
    // TZASC: memory transactions and programming in, MemReply out.
    public const int TzascRead = 0x6100, TzascWrite = 0x6101, TzascProgram = 0x6102, MemoryReply = 0x6103, TzascSetAction = 0x6104;

    // SMMU: DMA and commands in; the replies are MemoryReply.
    public const int SmmuDma = 0x6200, SmmuCommand = 0x6201;

    // GIC: requests from PEs in, 0x631x out to PEs.
    public const int GicSgi = 0x6300, GicSpi = 0x6301, GicAcknowledge = 0x6302, GicEoi = 0x6303, GicSgiByRegister = 0x6304;
    public const int GicSignal = 0x6310, GicAcknowledged = 0x6311;

    // Virtio: guest side ⇄ backend (virtio.proto), the completion interrupt, host work on a PE.
    public const int VirtioNotify = 0x6400, VirtioAvailPublished = 0x6401, VirtioUsedPublished = 0x6402, VirtioInterrupt = 0x6403;
    public const int HostWork = 0x6410, HostWorkDone = 0x6411;

    // Block device: commands from a backend in, completions out (block.proto).
    public const int BlockSubmit = 0x6500, BlockComplete = 0x6501;

    // Network: host ⇄ NIC packets, NIC ⇄ switch frames (network.proto).
    public const int NicTransmit = 0x6600, NicReceive = 0x6601, WireFrame = 0x6602;
}
