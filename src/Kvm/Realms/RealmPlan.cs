using VirtCca.Cores.Pe;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Realms;

/// <summary>One RMI call KVM makes, with the normal-world pages the command reads (as KVM wrote them).</summary>
public sealed record RmiCall(string Name, ulong Fid, ulong[] Args, IReadOnlyList<(ulong Address, byte[] Data)> Pages);

/// <summary>
/// KVM's creation of one realm as RMI calls, in the order a host makes them (ARCHITECTURE §2):
/// delegate the granules, REALM_CREATE, the RTTs, INIT_RIPAS over RAM, DATA_CREATE of the image
/// (measured) and of the rest of RAM, REC_CREATE per vCPU, REALM_ACTIVATE. It also gives each vCPU's
/// REC and run page, which KVM's REC_ENTER loop names.
/// </summary>
public sealed class RealmPlan
{
    private const ulong Granule = 0x1000, MeasureContent = 1;
    private readonly List<RmiCall> _calls = new();
    private readonly List<ulong> _delegated = new();
    private ulong _next;

    public RealmPlan(RealmShape shape)
    {
        if (shape.Problem() is { } problem) throw new ArgumentException(problem, nameof(shape));
        Shape = shape;
        _next = shape.HostMemoryBase;

        Rd = Delegated("rd");
        ulong startRtt = Delegated("starting RTT");
        Call("REALM_CREATE", RmiFid.RealmCreate, [Rd, HostPage(RealmParams(shape, startRtt), out var paramsPage)], paramsPage);
        for (long level = 1; level <= 3; level++)
            Call($"RTT_CREATE level {level}", RmiFid.RttCreate, [Rd, Delegated($"level-{level} RTT"), 0, (ulong)level]);
        Call("RTT_INIT_RIPAS", RmiFid.RttInitRipas, [Rd, 0, (ulong)shape.RamPages * Granule]);
        for (int page = 0; page < shape.RamPages; page++)
        {
            ulong data = Delegated($"RAM page {page}"), ipa = (ulong)page * Granule;
            if (page < shape.ImagePages)
                Call($"DATA_CREATE image page {page}", RmiFid.DataCreate, [Rd, data, ipa, HostPage(ImagePage(page), out var src), MeasureContent], src);
            else
                Call($"DATA_CREATE_UNKNOWN page {page}", RmiFid.DataCreateUnknown, [Rd, data, ipa]);
        }
        var bindings = new List<RealmBinding>();
        for (int v = 0; v < shape.Vcpus; v++)
        {
            ulong rec = Delegated($"REC {v}");
            var aux = Enumerable.Range(0, shape.RecAuxCount).Select(i => Delegated($"REC {v} aux {i}")).ToArray();
            Call($"REC_CREATE vCPU {v}", RmiFid.RecCreate, [Rd, rec, HostPage(RecParams(v, v == 0 || shape.SecondariesRunnable, aux), out var recParams)], recParams);
            bindings.Add(new RealmBinding(Rd, rec, NextGranule(), shape.HostCallIpa(v), shape.UnprotectedIpaBit));
        }
        Call("REALM_ACTIVATE", RmiFid.RealmActivate, [Rd]);
        Vcpus = bindings;
        Teardown = TeardownCalls(shape, bindings);
    }

    public RealmShape Shape { get; }
    public ulong Rd { get; }
    public IReadOnlyList<RmiCall> Calls => _calls;
    public IReadOnlyList<RealmBinding> Vcpus { get; }

    /// <summary>
    /// KVM's destruction of the realm once every vCPU has stopped, in the order the TMM requires:
    /// REC_DESTROY of each REC, DATA_DESTROY of each RAM page, RTT_DESTROY from level 3 up,
    /// REALM_DESTROY, then GRANULE_UNDELEGATE of every granule the creation delegated.
    /// </summary>
    public IReadOnlyList<RmiCall> Teardown { get; }

    private List<RmiCall> TeardownCalls(RealmShape shape, IReadOnlyList<RealmBinding> vcpus)
    {
        var calls = new List<RmiCall>();
        void Add(string name, ulong fid, params ulong[] args) => calls.Add(new RmiCall(name, fid, args, []));
        foreach (var (v, i) in vcpus.Select((v, i) => (v, i))) Add($"REC_DESTROY vCPU {i}", RmiFid.RecDestroy, v.Rec);
        for (int page = 0; page < shape.RamPages; page++) Add($"DATA_DESTROY page {page}", RmiFid.DataDestroy, Rd, (ulong)page * Granule);
        for (long level = 3; level >= 1; level--) Add($"RTT_DESTROY level {level}", RmiFid.RttDestroy, Rd, 0, (ulong)level);
        Add("REALM_DESTROY", RmiFid.RealmDestroy, Rd);
        foreach (var g in _delegated) Add($"GRANULE_UNDELEGATE 0x{g:X}", RmiFid.GranuleUndelegate, g);
        return calls;
    }

    /// <summary>The guest image's bytes: a fixed pattern per page, so the RIM is reproducible.</summary>
    public static byte[] ImagePage(int page)
    {
        var bytes = new byte[Granule];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(page * 31 + i * 7);
        return bytes;
    }

    private ulong NextGranule() { var g = _next; _next += Granule; return g; }

    private ulong Delegated(string what)
    {
        ulong g = NextGranule();
        Call($"GRANULE_DELEGATE ({what})", RmiFid.GranuleDelegate, [g]);
        _delegated.Add(g);
        return g;
    }

    private ulong HostPage(byte[] contents, out (ulong, byte[]) page)
    {
        ulong g = NextGranule();
        page = (g, contents);
        return g;
    }

    private void Call(string name, ulong fid, ulong[] args, params (ulong, byte[])[] pages) => _calls.Add(new RmiCall(name, fid, args, pages));

    /// <summary>RmiRealmParams: one breakpoint and one watchpoint (the least a realm may ask for), a fixed personalisation value, RTTs from level 0.</summary>
    private static byte[] RealmParams(RealmShape s, ulong startRtt) =>
        new Tmm.Abi.RealmParams(0, s.IpaBits, 0, 1, 1, 0, s.HashAlgorithm, Enumerable.Range(0, 64).Select(i => (byte)i).ToArray(),
            s.Vmid, startRtt, 0, 1).ToGranule();

    /// <summary>RmiRecParams: runnable or not, the vCPU's MPIDR, entry at the image's start.</summary>
    private static byte[] RecParams(int vcpu, bool runnable, ulong[] aux) =>
        new Tmm.Abi.RecParams(runnable ? Tmm.Abi.RecParams.FlagRunnable : 0, Mpidr.Of(vcpu), 0, [], (ulong)aux.Length, aux).ToGranule();
}
