using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using VirtCca.Tmm;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Benchmarks;

/// <summary>
/// The pure RMM library: RMI calls per second (GRANULE_DELEGATE + UNDELEGATE pairs, RTT_READ_ENTRY),
/// DATA_CREATE of 4 KiB with content measurement (MB/s = 4096 B / time per call, including the
/// DATA_DESTROY that frees the slot again), and a REC entry/exit round trip (REC_ENTER whose Realm
/// makes one host call — exit, entry processing, exit record).
/// </summary>
[ShortRunJob]
public class TmmBenchmarks
{
    private Rmm _rmm = null!;
    private ulong _rd, _rec, _run, _src, _data;
    private ulong _next = 0x8000_0000;

    private ulong Granule() { var g = _next; _next += 0x1000; return g; }
    private ulong Delegated() { var g = Granule(); _rmm.HostSmc(RmiFid.GranuleDelegate, g); return g; }

    [GlobalSetup(Targets = [nameof(DelegateUndelegate), nameof(RttReadEntry), nameof(DataCreateMeasured4K)])]
    public void Setup()
    {
        _rmm = new Rmm();
        _rd = Delegated();
        var rtt = Delegated();
        var p = Granule();
        var g = new byte[4096];
        g[0x008] = 40; g[0x018] = 1; g[0x020] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808), rtt);
        BinaryPrimitives.WriteUInt32LittleEndian(g.AsSpan(0x818), 1);
        _rmm.HostMemory.Write(p, g);
        Check(_rmm.HostSmc(RmiFid.RealmCreate, _rd, p));
        foreach (var level in new ulong[] { 1, 2, 3 }) Check(_rmm.HostSmc(RmiFid.RttCreate, _rd, Delegated(), 0, level));
        Check(_rmm.HostSmc(RmiFid.RttInitRipas, _rd, 0, 0x2000));
        Check(_rmm.HostSmc(RmiFid.DataCreateUnknown, _rd, Delegated(), 0x1000));
        _src = Granule();
        _rmm.HostMemory.Write(_src, Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray());
        _data = Delegated();

        var rp = Granule();
        var r = new byte[4096];
        r[0] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(0x800), 16);
        for (int i = 0; i < 16; i++) BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(0x808 + 8 * i), Delegated());
        _rmm.HostMemory.Write(rp, r);
        _rec = Delegated();
        Check(_rmm.HostSmc(RmiFid.RecCreate, _rd, _rec, rp));
        _run = Granule();
    }

    private static void Check(SmcResult r) { if (r.X0 != 0) throw new InvalidOperationException(r.ToString()); }

    [Benchmark(OperationsPerInvoke = 2)]
    public ulong DelegateUndelegate()
    {
        ulong g = 0x8FF0_0000;
        return _rmm.HostSmc(RmiFid.GranuleDelegate, g).X0 | _rmm.HostSmc(RmiFid.GranuleUndelegate, g).X0;
    }

    [Benchmark]
    public ulong RttReadEntry() => _rmm.HostSmc(RmiFid.RttReadEntry, _rd, 0x1000, 3).X2;

    [Benchmark]
    public ulong DataCreateMeasured4K()
    {
        var r = _rmm.HostSmc(RmiFid.DataCreate, _rd, _data, 0, _src, 1);
        _rmm.HostSmc(RmiFid.DataDestroy, _rd, 0); // frees the slot: the entry is UNASSIGNED/DESTROYED, which DATA_CREATE accepts again
        return r.X0;
    }

    [Benchmark]
    public ulong RecEnterExit()
    {
        _rmm.SetGuestProgram(_rec, new GuestProgram(new GuestStep.Interrupt()));
        return _rmm.HostSmc(RmiFid.RecEnter, _rec, _run).X0;
    }

    [GlobalSetup(Target = nameof(RecEnterExit))]
    public void SetupEnter()
    {
        Setup();
        Check(_rmm.HostSmc(RmiFid.RealmActivate, _rd)); // REC_ENTER needs an ACTIVE Realm; DATA_CREATE a NEW one
    }
}
