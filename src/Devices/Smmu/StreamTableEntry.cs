namespace VirtCca.Devices.Smmu;

/// <summary>What a stream table entry does with a device's transactions (SMMUv3 STE.Config, simplified).</summary>
public enum StreamMode { Abort, Bypass, Stage2 }

/// <summary>
/// One stream table entry: whether its output transactions are secure, its mode, and its stage-2
/// page map (IOVA page → PA page). Each STE owns its stage-2 here, so "per VMID" invalidation
/// becomes per stream.
/// </summary>
public sealed class StreamTableEntry(bool secure, StreamMode mode)
{
    public bool Secure { get; } = secure;
    public StreamMode Mode { get; } = mode;
    public Dictionary<ulong, ulong> Stage2 { get; } = new();
}

/// <summary>A recorded translation fault (the SMMU's event queue).</summary>
public sealed record SmmuFault(uint Stream, ulong Iova, string Reason, bool SecureStream = false);
