namespace VirtCca.Devices;

/// <summary>
/// Every event kind the devices send or accept, in one place so that no two devices collide and a
/// requester on another node needs only this class and memory.proto: TZASC 0x61xx, SMMU 0x62xx,
/// GIC 0x63xx. The per-actor constants (<c>TzascActor.KindRead</c> …) are aliases of these.
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
}
