using Google.Protobuf;
using VirtCca.Cores.Host;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.Kvm.Host;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.Cores.Tests;

/// <summary>A VMM-like component asking a PE's host (KVM with no vCPUs) to execute SMCs at given times; records the answers as "time:X0".</summary>
internal sealed class HostDriver(int pe, params (long AtPs, ulong Fid, ulong X1)[] calls) : Component
{
    public readonly List<string> Answers = new();

    public override void Start(ISimContext ctx)
    {
        foreach (var (at, fid, x1) in calls)
            ctx.Send(pe, KvmKinds.HostSmc, (long)HostPhase.Run, new SmcRequest { Fid = fid, X1 = x1 }.ToByteArray(), new SimTime(at));
    }

    public override void Handle(in SimEvent ev, ISimContext ctx) =>
        Answers.Add($"{ev.Time}:{ev.PayloadAs<SmcReply>().X0:X}");
}

internal static class Costs
{
    public const long Hz = 2_600_000_000;
    public static readonly WorldSwitchCosts Ws = new();

    public static long Ps(long cycles) => SimTime.FromCycles(cycles, Hz).Picoseconds;
    public static long Ps(IEnumerable<Step> steps) => steps.Sum(s => s.Picoseconds(Hz));
    public static long Ps(IEnumerable<Step> steps, TimeCategory c) => steps.Where(s => s.Category == c).Sum(s => s.Picoseconds(Hz));

    public static readonly PlatformConfiguration[] All = [PlatformConfiguration.Baseline, PlatformConfiguration.VirtccaSel2, PlatformConfiguration.VirtccaEl3];

    /// <summary>A PE whose host is KVM with no vCPUs: it runs the SMCs host software asks of it.</summary>
    public static PeSetup HostOnly(int cpu, PlatformConfiguration firmware, int tmm = -1, SimTime tmmLink = default, IReadOnlyList<int>? peOfCpu = null) => new()
    {
        Cpu = cpu, Firmware = firmware, Tmm = tmm, TmmLinkLatency = tmmLink, PeOfCpu = peOfCpu ?? [],
        Host = () => new KvmCpu([], new KvmCosts(), new KvmCpuSettings(-1, 100_000_000, SimTime.FromMicroseconds(1000))),
    };
}
