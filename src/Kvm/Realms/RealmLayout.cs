namespace VirtCca.Kvm.Realms;

/// <summary>The granules of one realm KVM created: its RD and, per vCPU, the REC and the run page KVM's REC_ENTER names.</summary>
public sealed record RealmLayout(ulong Rd, IReadOnlyList<ulong> Recs, IReadOnlyList<ulong> Runs)
{
    /// <summary>Where the RSI_HOST_CALL argument block of vCPU <paramref name="vcpu"/> lives in realm RAM (after the image).</summary>
    public static ulong HostCallIpa(RealmShape shape, int vcpu) => shape.HostCallIpa(vcpu);
}
