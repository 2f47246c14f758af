using VirtCca.Kvm.Vcpus;

namespace VirtCca.Kvm.Tests;

/// <summary>Machines with one guest for the tests, and what tests read of them.</summary>
internal static class Machines
{
    public const long Hz = 2_600_000_000;
    public static long Ps(long cycles) => SimTime.FromCycles(cycles, Hz).Picoseconds;

    public static Machine Build(PlatformConfiguration config, IReadOnlyList<Op>[] programs, bool psciBoot = false, RealmShape? realm = null,
        int? pes = null, IReadOnlyList<Func<Machine, Component>>? devices = null, int pool = 65_536, PlatformSettings? platform = null) =>
        new(MachineSpec.OneGuest(config, programs, platform, realm, psciBoot, pes, pool), devices);

    public static Machine Run(PlatformConfiguration config, params IReadOnlyList<Op>[] programs)
    {
        var m = Build(config, programs);
        SequentialEngine.Run(m.Model, new KernelSettings());
        return m;
    }

    /// <summary>KVM's structure for a vCPU of the last run.</summary>
    public static KvmVcpu Kvm(this Machine m, int vcpu, int guest = 0) => m.Guests[guest].Vcpus[vcpu]!;

    public static long Exits(this Machine m, int vcpu, ExitKind kind) => m.Kvm(vcpu).Exits[(int)kind];

    /// <summary>When a guest's vCPUs may first run: at once for a normal VM, one PE link after its realm became active.</summary>
    public static long Start(this Machine m, int guest = 0) =>
        m.Guests[guest].IsRealm ? (m.Vmms[guest].ActivatedAt + m.Platform.Links.PePe).Picoseconds : 0;

    public static TmmActor Tmm(this Machine m) => m.Tmm ?? throw new InvalidOperationException("the machine has no TMM");
    public static ulong Rec(this Machine m, int vcpu, int guest = 0) => m.Guests[guest].Realm?.Recs[vcpu] ?? throw new InvalidOperationException("no realm");
}
