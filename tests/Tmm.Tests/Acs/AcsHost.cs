using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// A host driving one <see cref="Rmm"/> through the ABI only: it hands out its own DRAM granules in
/// order (never reused), lays out parameter pages with the ABI's layouts, and builds Realms the way a
/// host does. The conformance tests take their arguments from here.
/// </summary>
internal sealed class AcsHost
{
    /// <summary>A device (MMIO) region below DRAM: x_bound.</summary>
    public const ulong Mmio = 0x0900_0000;
    /// <summary>Beyond the permitted PA range (48 bits): x_bound.</summary>
    public const ulong BeyondPa = 1UL << 48;

    public readonly Rmm Rmm;
    private ulong _next;
    private ushort _vmid = 1;

    public AcsHost(RmmConfig? config = null)
    {
        Rmm = new Rmm(config ?? new RmmConfig());
        _next = Rmm.Config.DramBase;
    }

    /// <summary>Memory in the secure PAS: the firmware's pool behind the TZASC (x_pas = secure).</summary>
    public ulong SecurePas => Rmm.Config.SecurePoolBase;

    /// <summary>The host granules handed out so far, [DramBase, HostEnd).</summary>
    public ulong HostEnd => _next;

    public SmcResult Call(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0) => Rmm.HostSmc(fid, x1, x2, x3, x4, x5);

    public SmcResult Call(AcsCall c) => Rmm.HostSmc(c.Fid, c.X1, c.X2, c.X3, c.X4, c.X5);

    /// <summary>A call that must succeed (the preparation of a scenario, not the scenario).</summary>
    public SmcResult Ok(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0)
    {
        var r = Call(fid, x1, x2, x3, x4, x5);
        Assert.True(r.X0 == 0, $"preparation: 0x{fid:X}(0x{x1:X}, 0x{x2:X}, 0x{x3:X}, 0x{x4:X}) returned {r}: {Rmm.LastError}");
        return r;
    }

    /// <summary>A fresh normal-world granule.</summary>
    public ulong Granule() { var g = _next; _next += Abi.Granule.Size; return g; }

    /// <summary>Skips host granules up to the next multiple of <paramref name="boundary"/> (for blocks of contiguous granules).</summary>
    public void AlignTo(ulong boundary) => _next = (_next + boundary - 1) & ~(boundary - 1);

    /// <summary>A fresh granule, delegated.</summary>
    public ulong Delegated() { var g = Granule(); Ok(RmiFid.GranuleDelegate, g); return g; }

    /// <summary>A normal-world page holding <paramref name="image"/>.</summary>
    public ulong Page(byte[] image) { var p = Granule(); Rmm.HostMemory.Write(p, image); return p; }

    public ushort NextVmid() => _vmid++;

    /// <summary>RmiRealmParams for a 40-bit, SL 0, SHA-256 Realm with one starting RTT, unless told otherwise.</summary>
    public RealmParams Params(ulong rttBase, ushort? vmid = null, byte s2sz = 40, long sl = 0, uint numStart = 1, byte hash = 0, ulong flags = 0,
        byte bps = 1, byte wps = 1, byte[]? rpv = null) =>
        new(flags, s2sz, 0, bps, wps, 0, hash, rpv ?? Enumerable.Range(0, 64).Select(i => (byte)(0xA0 + i)).ToArray(), vmid ?? NextVmid(), rttBase, sl, numStart);

    /// <summary>A NEW Realm: REALM_CREATE with fresh delegated RD and starting RTT(s).</summary>
    public TestRealm Realm(byte s2sz = 40, long sl = 0, uint numStart = 1, byte hash = 0)
    {
        var rd = Delegated();
        var rtt = Delegated();
        for (int i = 1; i < numStart; i++) Delegated(); // contiguous: granules are handed out in order
        Ok(RmiFid.RealmCreate, rd, Page(Params(rtt, s2sz: s2sz, sl: sl, numStart: numStart, hash: hash).ToGranule()));
        return new TestRealm(this, rd, rtt, s2sz, (int)sl);
    }
}

/// <summary>One SMC the host makes: X0 = Fid, X1..X5.</summary>
internal readonly record struct AcsCall(ulong Fid, ulong X1 = 0, ulong X2 = 0, ulong X3 = 0, ulong X4 = 0, ulong X5 = 0);

/// <summary>A Realm the host built, with what it knows about it: tables, RECs, a run page per REC.</summary>
internal sealed partial class TestRealm(AcsHost host, ulong rd, ulong rootRtt, int s2sz, int sl)
{
    public AcsHost Host { get; } = host;
    public ulong Rd { get; } = rd;
    public ulong RootRtt { get; } = rootRtt;
    public int StartLevel { get; } = sl;
    public List<ulong> Recs { get; } = new();
    private readonly List<ulong> _runs = new();

    /// <summary>The first unprotected IPA (the top IPA bit).</summary>
    public ulong Ns => 1UL << (s2sz - 1);
    public ulong IpaLimit => 1UL << s2sz;
    public Rmm Rmm => Host.Rmm;
    public Realms.Realm Model => Rmm.Realms.Single(r => r.Rd == Rd);

    /// <summary>Tables down to <paramref name="level"/> over <paramref name="ipa"/> (creating those missing); the level's RTT granule.</summary>
    public ulong Table(ulong ipa, int level)
    {
        ulong rtt = 0;
        for (int l = StartLevel + 1; l <= level; l++)
        {
            var e = ReadEntry(ipa & ~(Abi.Granule.MappedAt(l - 1) - 1), l - 1);
            if (e.X1 == (ulong)(l - 1) && e.X2 == (ulong)RmiRttEntryState.Table) { rtt = e.X3; continue; }
            rtt = Host.Delegated();
            Host.Ok(RmiFid.RttCreate, Rd, rtt, ipa & ~(Abi.Granule.MappedAt(l - 1) - 1), (ulong)l);
        }
        return rtt;
    }

    public SmcResult ReadEntry(ulong ipa, long level) => Host.Call(RmiFid.RttReadEntry, Rd, ipa, (ulong)level);

    /// <summary>RTT_INIT_RIPAS over [base, top), looping as a host does until the whole range is RAM.</summary>
    public void InitRipas(ulong baseIpa, ulong top)
    {
        while (baseIpa < top) baseIpa = Host.Ok(RmiFid.RttInitRipas, Rd, baseIpa, top).X1;
    }

    /// <summary>DATA_CREATE (measured) of a fresh granule holding <paramref name="fill"/> at <paramref name="ipa"/>.</summary>
    public ulong Data(ulong ipa, byte fill = 0x5A)
    {
        var data = Host.Delegated();
        Host.Ok(RmiFid.DataCreate, Rd, data, ipa, Host.Page(Enumerable.Repeat(fill, 4096).ToArray()), 1);
        return data;
    }

    public ulong DataUnknown(ulong ipa)
    {
        var data = Host.Delegated();
        Host.Ok(RmiFid.DataCreateUnknown, Rd, data, ipa);
        return data;
    }

    /// <summary>RmiRecParams naming <paramref name="index"/> (rec_count by default) with fresh delegated aux granules.</summary>
    public ulong RecParamsPage(int? index = null, bool runnable = true, ulong pc = 0x1000, ulong numAux = 16, ulong[]? aux = null, ulong? mpidr = null)
    {
        var auxes = aux ?? Enumerable.Range(0, (int)Math.Min(numAux, 16)).Select(_ => Host.Delegated()).ToArray();
        return Host.Page(new RecParams(runnable ? RecParams.FlagRunnable : 0, mpidr ?? Mpidr.Of(index ?? Model.NextRecIndex), pc,
            new ulong[8], numAux, auxes).ToGranule());
    }

    /// <summary>REC_CREATE of the next REC; its position in <see cref="Recs"/>.</summary>
    public int Rec(bool runnable = true, ulong pc = 0x1000)
    {
        var rec = Host.Delegated();
        Host.Ok(RmiFid.RecCreate, Rd, rec, RecParamsPage(runnable: runnable, pc: pc));
        Recs.Add(rec);
        _runs.Add(Host.Granule());
        return Recs.Count - 1;
    }

    public void Activate() => Host.Ok(RmiFid.RealmActivate, Rd);

    /// <summary>
    /// The usual Realm: tables to level 3 over [0, 2 MiB) and over the first unprotected 2 MiB, RAM
    /// with measured DATA over [0, <paramref name="ramPages"/>·4 KiB), and <paramref name="recs"/> RECs
    /// (the first runnable, the others not unless told).
    /// </summary>
    public TestRealm Populate(int recs = 1, int ramPages = 16, bool allRunnable = false)
    {
        Table(0, 3);
        Table(Ns, 3);
        InitRipas(0, (ulong)ramPages * 0x1000);
        for (int i = 0; i < ramPages; i++) Data((ulong)i * 0x1000, (byte)i);
        for (int i = 0; i < recs; i++) Rec(runnable: i == 0 || allRunnable);
        return this;
    }

    public ulong RunPage(int rec) => _runs[rec];
    public Rec RecModel(int rec) => Rmm.RecAt(Recs[rec])!;

    /// <summary>REC_ENTER of REC <paramref name="rec"/> through its run page, with <paramref name="entry"/> (flags, gprs, vGIC) in the entry half.</summary>
    public SmcResult Enter(int rec, RecEntry? entry = null)
    {
        WriteEntry(rec, entry);
        return Host.Call(RmiFid.RecEnter, Recs[rec], _runs[rec]);
    }

    /// <summary>REC_ENTER of a REC that runs on a simulated CPU (the Realm's steps then come through <see cref="Trap"/>).</summary>
    public SmcResult EnterOnCpu(int rec, RecEntry? entry = null)
    {
        WriteEntry(rec, entry);
        return Rmm.EnterOnCpu(Recs[rec], _runs[rec]);
    }

    public RealmTrapResult Trap(int rec, GuestStep step) => Rmm.RealmTrap(Recs[rec], step);

    private void WriteEntry(int rec, RecEntry? entry)
    {
        var page = new byte[RecEntry.Size];
        (entry ?? new RecEntry()).Write(page);
        Rmm.HostMemory.Write(_runs[rec], page);
    }

    /// <summary>The exit record REC <paramref name="rec"/>'s last REC_ENTER left in its run page.</summary>
    public RecExit Exit(int rec)
    {
        var x = new byte[RecExit.Size];
        Rmm.HostMemory.Read(_runs[rec] + RecExit.Offset, x);
        return RecExit.Read(x);
    }

    public GuestProgram Program(int rec, params GuestStep[] steps)
    {
        var p = new GuestProgram(steps);
        Rmm.SetGuestProgram(Recs[rec], p);
        return p;
    }

    public static RecEntry Entry(RecEntryFlags flags = RecEntryFlags.None, ulong gpr0 = 0, ulong hcr = 0, ulong? lr0 = null)
    {
        var e = new RecEntry { Flags = flags, GicHcr = hcr };
        e.Gprs[0] = gpr0;
        if (lr0 is { } lr) e.GicLrs[0] = lr;
        return e;
    }
}
