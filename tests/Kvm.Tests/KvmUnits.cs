using VirtCca.Cores.Host;
using VirtCca.Cores.Translation;
using VirtCca.Tmm.Abi;
using VirtCca.Cores.Vcpu;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Host;
using VirtCca.Kvm.Vcpus;

namespace VirtCca.Kvm.Tests;

/// <summary>KVM's pieces without a machine: a guest, its vCPUs, an exit handler over a <see cref="DirectCpu"/>.</summary>
internal static class KvmUnits
{
    public const int Gic = 900, Vmm = 901;
    public static readonly KvmCosts Costs = new();

    public static KvmGuest Guest(bool realm, int vcpus = 2, ulong ramBytes = 8UL << 20, bool psciBoot = false, IReadOnlyList<Op>? program = null)
    {
        var g = new KvmGuest(0, "g", realm, vcpus, new GuestMemory(0x8000_0000, ramBytes, 0x8000_0000 + ramBytes, 4UL << 20),
            new RealmShape { Vcpus = vcpus, RamBytes = ramBytes }, psciBoot) { Vmm = Vmm };
        var timing = new GuestTiming(2_600_000_000, TranslationRegime.TwoStage, new WalkCosts(), 270);
        for (int v = 0; v < vcpus; v++)
        {
            (g.VcpuComponent[v], g.PeOfVcpu[v], g.CpuOfVcpu[v]) = (100 + v, 10 + v, v);
            g.Vcpus[v] = new KvmVcpu(g, v, new VcpuActor(new VcpuIdentity(100 + v, 0, v, realm), program ?? [new Compute(1)], timing)) { Power = VcpuPower.On };
        }
        if (realm) g.Realm = new RealmLayout(0x9000_0000, Enumerable.Range(0, vcpus).Select(v => 0x9000_1000UL + (ulong)v * 0x1000).ToArray(),
            Enumerable.Range(0, vcpus).Select(v => 0x9100_0000UL + (ulong)v * 0x1000).ToArray());
        return g;
    }

    /// <summary>Handles one exit of vCPU 0 on a CPU whose SMCs <paramref name="answer"/> answers (SUCCESS by default); returns the CPU's log.</summary>
    public static DirectCpu Handle(KvmGuest g, KvmExit e, Func<SmcCall, SmcResult>? answer = null, int vcpu = 0)
    {
        var cpu = new DirectCpu { Answer = answer ?? (_ => SmcResult.Success) };
        cpu.Run(new ExitHandler(cpu, Costs, Gic).Handle(g.Vcpus[vcpu]!, e));
        return cpu;
    }
}
