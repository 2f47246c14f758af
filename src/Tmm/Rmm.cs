using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Memory;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

/// <summary>
/// The TMM as the normal world sees it: an RMM v1.0 ABI behind <see cref="HostSmc"/>, and physical
/// memory behind <see cref="HostMemory"/>. Pure model: no Akka, no clock; every call either
/// returns a defined status or SMC_UNKNOWN.
/// </summary>
public sealed partial class Rmm
{
    private readonly PhysicalMemory _dram;
    private readonly GranuleTable _granules;
    private readonly ISecureMemory _secure;
    private readonly Dictionary<ulong, Realm> _realms = new();      // by RD address
    private readonly Dictionary<ulong, Rtt> _rtts = new();          // by RTT granule address
    private readonly HashSet<ushort> _vmids = new();

    public Rmm() : this(new RmmConfig()) { }

    /// <param name="memory">The machine's one physical memory: the host's DRAM and the secure pool are both in it. A new one when none is given.</param>
    public Rmm(RmmConfig config, ISecureMemory? secure = null, PhysicalMemory? memory = null)
    {
        Config = config;
        _dram = memory ?? new PhysicalMemory();
        _granules = new GranuleTable(config.DramBase, config.DramSize);
        _secure = secure ?? new SecurePool(config.SecurePoolBase, config.SecurePoolGranules, _dram, config.SecurePoolRegions);
        HostMemory = new HostMemory(_dram, _granules);
    }

    /// <summary>The physical memory this TMM manages (what the host wrote, and the secure pool behind the TZASC).</summary>
    public PhysicalMemory Memory => _dram;

    public RmmConfig Config { get; }
    public HostMemory HostMemory { get; }
    public ISecureMemory SecureMemory => _secure;

    /// <summary>Why the last call failed, in words (the ABI gives only a status); empty after a success.</summary>
    public string LastError { get; private set; } = "";

    /// <summary>The state of a granule, for inspection by tests and invariant checks.</summary>
    public GranuleState GranuleStateOf(ulong pa) => _granules.StateOf(pa);
    public IEnumerable<(ulong Pa, GranuleState State)> DelegatedGranules => _granules.Delegated;
    public IReadOnlyCollection<Realm> Realms => _realms.Values;

    /// <summary>An SMC from the normal world: X0 = <paramref name="fid"/>, X1..X5 = arguments.</summary>
    public SmcResult HostSmc(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0)
    {
        LastError = "";
        LastCallBlocks = 0;
        if (TmiFid.InRange(fid)) return TmiSmc(fid & ~RmiFid.SveHint, x1, x2, x3, x4, x5);
        if (Config.Abi == HostAbi.Tmi) return Unknown($"FID 0x{fid:X}: this TMM answers TMI, not RMI");
        var r = (fid & ~RmiFid.SveHint) switch
        {
            RmiFid.Version => Version(x1),
            RmiFid.Features => Features(x1),
            RmiFid.GranuleDelegate => GranuleDelegate(x1),
            RmiFid.GranuleUndelegate => GranuleUndelegate(x1),
            RmiFid.RealmCreate => RealmCreate(x1, x2),
            RmiFid.RealmActivate => RealmActivate(x1),
            RmiFid.RealmDestroy => RealmDestroy(x1),
            RmiFid.RecAuxCount => RecAuxCount(x1),
            RmiFid.RttCreate => RttCreate(x1, x2, x3, (long)x4),
            RmiFid.RttDestroy => RttDestroy(x1, x2, (long)x3),
            RmiFid.RttReadEntry => RttReadEntry(x1, x2, (long)x3),
            RmiFid.RttFold => RttFold(x1, x2, (long)x3),
            RmiFid.RttMapUnprotected => RttMapUnprotected(x1, x2, (long)x3, x4),
            RmiFid.RttUnmapUnprotected => RttUnmapUnprotected(x1, x2, (long)x3),
            RmiFid.RttInitRipas => RttInitRipas(x1, x2, x3),
            RmiFid.DataCreate => DataCreate(x1, x2, x3, x4, x5),
            RmiFid.DataCreateUnknown => DataCreateUnknown(x1, x2, x3),
            RmiFid.DataDestroy => DataDestroy(x1, x2),
            RmiFid.RecCreate => RecCreate(x1, x2, x3),
            RmiFid.RecDestroy => RecDestroy(x1),
            RmiFid.RecEnter => RecEnter(x1, x2),
            RmiFid.PsciComplete => PsciComplete(x1, x2, x3),
            RmiFid.RttSetRipas => RttSetRipas(x1, x2, x3, x4),
            var f when f >= RmiFid.RangeFirst && f <= RmiFid.RangeLast => Unknown($"FID 0x{f:X} is not an implemented RMI command"),
            var f => Unknown($"FID 0x{f:X} is not in the RMI range"),
        };
        return r;
    }

    private SmcResult Unknown(string why)
    {
        LastError = why;
        return new SmcResult(RmiFid.SmcUnknown);
    }

    private SmcResult Fail(RmiStatus status, string why, int index = 0, ulong x1 = 0, ulong x2 = 0)
    {
        LastError = why;
        return SmcResult.Of(status, index, x1, x2);
    }

    private SmcResult Input(string why) => Fail(RmiStatus.ErrorInput, why);

    /// <summary>rd_align / rd_bound / rd_state: the address names a live RD.</summary>
    private Realm? RealmAt(ulong rd) => _granules.Is(rd, GranuleState.Rd) ? _realms[rd] : null;

    private static string Hex(ulong v) => $"0x{v:X}";
}
