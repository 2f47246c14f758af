using System.Buffers.Binary;
using VirtCca.Tmm.Recs;
using static VirtCca.Tmm.Recs.GuestStep;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// virtCCA's TMI (ABI 2) over the TMM's core, as the openEuler kernel calls it: version and features,
/// a cVM created with the TMM allocating everything, DATA_CREATE with TTT_CREATE on a walk error,
/// TTT_MAP_RANGE, activation, TEC_ENTER with tmi_tec_run, teardown by CVM_DESTROY — and TMI's status
/// codes for bad arguments.
/// </summary>
public sealed class TmiTests
{
    private const ulong Host = 0x8000_0000;

    private sealed class Tmi
    {
        public readonly Rmm Rmm;
        private ulong _next = Host;

        public Tmi(RmmConfig? config = null) => Rmm = new Rmm(config ?? new RmmConfig { Abi = HostAbi.Tmi });

        public ulong Page(byte[]? content = null)
        {
            var p = _next;
            _next += 0x1000;
            if (content != null) Rmm.HostMemory.Write(p, content);
            return p;
        }

        public SmcResult Call(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0) => Rmm.HostSmc(fid, x1, x2, x3, x4, x5);

        public ulong Params(ulong s2sz = 40, ulong vmid = 1, ulong algo = 0, ulong numStart = 1) =>
            Page(new TmiCvmParams(0, s2sz, 0, 1, 1, 0, algo, vmid, 0, 0, 0, numStart, new byte[64]).ToGranule());

        public ulong TecParams(bool runnable = true) => Page(new TmiTecParams([7, 0, 0, 0, 0, 0, 0, 0], 0x1000, runnable ? TmiTecParams.Runnable : 0, 0x10000).ToGranule());

        /// <summary>A cVM as the kernel builds it: CVM_CREATE, TEC_CREATE, DATA_CREATE of page 0 (creating tables on a walk error), TTT_MAP_RANGE of the rest of 64 KiB.</summary>
        public (ulong Rd, ulong Tec) Cvm(bool activate = true, int tecs = 1)
        {
            var c = Call(TmiFid.CvmCreate, Params(), 0);
            Ok(c);
            ulong rd = c.X1, tec = 0;
            for (int i = 0; i < tecs; i++)
            {
                var t = Call(TmiFid.TecCreate, 0, rd, Mpidr.Of(i), TecParams(i == 0));
                Ok(t);
                if (i == 0) tec = t.X1;
            }
            ulong src = Page(Enumerable.Range(0, 4096).Select(i => (byte)(i * 3)).ToArray());
            var d = Call(TmiFid.DataCreate, 0, rd, 0, src, 3);
            Assert.Equal(((ulong)TmiStatus.ErrorTttWalk, 0), (d.X0 & 0xFF, d.Index)); // no table below the root yet
            for (ulong level = 1; level <= 3; level++) Ok(Call(TmiFid.TttCreate, 0, rd, 0, level));
            Ok(Call(TmiFid.DataCreate, 0, rd, 0, src, 3));
            Ok(Call(TmiFid.TttMapRange, rd, 0x1000, 0xF000, 0, 0));
            Assert.Equal(1, Rmm.LastCallBlocks); // one level-3 table filled: what the call's cost scales with
            if (activate) Ok(Call(TmiFid.CvmActivate, rd));
            return (rd, tec);
        }
    }

    private static void Ok(SmcResult r) => Assert.True(r.X0 == 0, $"status 0x{r.X0:X}");

    private static void Fails(SmcResult r, TmiStatus status, int index = 0)
    {
        Assert.Equal(((ulong)status, index), (r.X0 & 0xFF, r.Index));
        Assert.True(r.X1 == r.X0 || r.X1 == 0, $"X1 0x{r.X1:X}: the kernel reads the status from X1"); // 0: a create call's handle
    }

    [Fact]
    public void Version_and_features_are_tmis()
    {
        var t = new Tmi();
        Assert.Equal((0UL, 0x20000UL), (t.Call(TmiFid.VersionReq).X0, t.Call(TmiFid.VersionReq).X1));
        ulong f = t.Call(TmiFid.Features, 0).X1;
        Assert.Equal((48UL, 1UL, 1UL, 0UL), (f & 0xFF, f >> 28 & 1, f >> 29 & 1, f >> 8 & 1)); // S2SZ, SHA-256, SHA-512, no LPA2
        Assert.Equal((5UL, 3UL), (f >> 14 & 0xF, f >> 18 & 0xF));
    }

    [Fact]
    public void A_cvm_is_built_run_and_destroyed_with_the_tmm_allocating_everything()
    {
        var t = new Tmi();
        var (rd, tec) = t.Cvm();
        var window = t.Rmm.Config.TmmObjects;
        Assert.InRange(rd, window, window + (ulong)t.Rmm.Config.TmmObjectGranules * 4096);
        var pages = t.Rmm.DataPages(rd).ToList();
        Assert.Equal(16, pages.Count); // page 0 from DATA_CREATE, 15 from TTT_MAP_RANGE
        Assert.Empty(t.Rmm.CheckInvariants());

        // TEC_ENTER with tmi_tec_run: the cVM reads its measurement and loads its first page, then a host call exits.
        var run = t.Page();
        t.Rmm.SetGuestProgram(tec, new GuestProgram(new Smc(RsiFid.MeasurementRead, 0), new Load(0x10), new Smc(RsiFid.IpaStateSet, 0, 0x1000, 0), new Smc(RsiFid.HostCall, 0x1000)));
        var entry = new RecEntry { Flags = RecEntryFlags.TrapWfi };
        var image = new byte[TecRun.EntrySize];
        TecRun.WriteEntry(image, entry);
        t.Rmm.HostMemory.Write(run, image);
        Ok(t.Call(TmiFid.TecEnter, tec, run));
        var log = t.Rmm.RecAt(tec)!.Program.Log;
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(Enumerable.Range(0x10, 8).Select(i => (byte)(i * 3)).ToArray()), log[1].X0);
        Assert.Equal(Psci.NotSupported, log[2].X0); // TSI has no IPA_STATE_SET
        var exit = new byte[TecRun.ExitSize];
        t.Rmm.HostMemory.Read(run + TecRun.ExitOffset, exit);
        Assert.Equal(RecExitReason.HostCall, TecRun.ReadExit(exit).Reason);

        Fails(t.Call(TmiFid.CvmDestroy, rd), TmiStatus.ErrorInUse);
        Ok(t.Call(TmiFid.TecDestroy, tec));
        Ok(t.Call(TmiFid.CvmDestroy, rd));
        Assert.Empty(t.Rmm.DelegatedGranules);
        Assert.Equal(0, t.Rmm.SecureMemory.GranulesInUse);
        Assert.Empty(t.Rmm.CheckInvariants());
    }

    [Fact]
    public void Bad_arguments_get_tmis_codes()
    {
        var t = new Tmi();
        var bad = t.Call(TmiFid.CvmCreate, t.Params(), 2);
        Fails(bad, TmiStatus.ErrorInput);
        Assert.Equal(0UL, bad.X1); // no RD
        Fails(t.Call(TmiFid.CvmCreate, t.Params(s2sz: 60), 0), TmiStatus.ErrorInput);
        Fails(t.Call(TmiFid.CvmCreate, t.Rmm.Config.SecurePoolBase, 0), TmiStatus.ErrorInput); // params not in host memory
        var (rd, tec) = t.Cvm(activate: false);
        Fails(t.Call(TmiFid.CvmCreate, t.Params(vmid: 1), 0), TmiStatus.ErrorInput); // VMID in use
        Fails(t.Call(TmiFid.TecCreate, 0, rd, Mpidr.Of(5), t.TecParams()), TmiStatus.ErrorInput); // not the next index
        Fails(t.Call(TmiFid.TecCreate, 0, 0x8000_1000, Mpidr.Of(1), t.TecParams()), TmiStatus.ErrorInput);
        Fails(t.Call(TmiFid.DataCreate, 0, rd, 0x2000, 0, 2), TmiStatus.ErrorInput);
        Fails(t.Call(TmiFid.DataCreate, 0, rd, 0x2000, 0, 3), TmiStatus.ErrorTttEntry, 3); // TTT_MAP_RANGE mapped it
        Fails(t.Call(TmiFid.DataCreate, 0, rd, 0x40_0000, 0, 3), TmiStatus.ErrorTttWalk, 2);
        Fails(t.Call(TmiFid.TttCreate, 0, rd, 0, 3), TmiStatus.ErrorTttCreated, 2);
        Fails(t.Call(TmiFid.TttMapRange, rd, 0x10000, 0x1000, 1, 0), TmiStatus.ErrorInput);
        Fails(t.Call(TmiFid.TttMapRange, rd, 0x10800, 0x1000, 0, 0), TmiStatus.ErrorInput);
        var run = t.Page();
        Fails(t.Call(TmiFid.TecEnter, tec, run), TmiStatus.ErrorCvmState); // not active yet
        Ok(t.Call(TmiFid.CvmActivate, rd));
        Fails(t.Call(TmiFid.CvmActivate, rd), TmiStatus.ErrorCvmState);
        Fails(t.Call(TmiFid.DataCreate, 0, rd, 0x10000, 0, 3), TmiStatus.ErrorCvmState);
        Fails(t.Call(TmiFid.TttMapRange, rd, 0x10000, 0x1000, 0, 0), TmiStatus.ErrorCvmState);
        Fails(t.Call(TmiFid.TecCreate, 0, rd, Mpidr.Of(1), t.TecParams()), TmiStatus.ErrorCvmState);
        Fails(t.Call(TmiFid.PsciComplete, tec, tec), TmiStatus.ErrorInput);

        var entry = new RecEntry { Flags = RecEntryFlags.EmulMmio };
        var image = new byte[TecRun.EntrySize];
        TecRun.WriteEntry(image, entry);
        t.Rmm.HostMemory.Write(run, image);
        Fails(t.Call(TmiFid.TecEnter, tec, run), TmiStatus.ErrorTec); // EMUL_MMIO after no MMIO exit
        entry.Flags = 0;
        entry.GicLrs[0] = 1UL << 62 | 1020;
        TecRun.WriteEntry(image, entry);
        t.Rmm.HostMemory.Write(run, image);
        Fails(t.Call(TmiFid.TecEnter, tec, run), TmiStatus.ErrorTec); // a reserved vINTID

        t.Rmm.SetGuestProgram(tec, new GuestProgram(new Smc(Psci.SystemOff)));
        TecRun.WriteEntry(image, new RecEntry());
        t.Rmm.HostMemory.Write(run, image);
        Ok(t.Call(TmiFid.TecEnter, tec, run));
        Fails(t.Call(TmiFid.TecEnter, tec, run), TmiStatus.ErrorCvmPoweroff);

        Fails(t.Call(TmiFid.DeviceFirst), TmiStatus.ErrorNotSupported);
        Assert.Equal(RmiFid.SmcUnknown, t.Call(RmiFid.GranuleDelegate, Host).X0); // a TMI TMM has no RMI
        Assert.Equal(RmiFid.SmcUnknown, new Rmm().HostSmc(TmiFid.VersionReq).X0); // and an RMI TMM no TMI
        Assert.Empty(t.Rmm.CheckInvariants());
    }

    [Fact]
    public void An_exhausted_pool_is_memory_and_what_was_mapped_stays()
    {
        var t = new Tmi(new RmmConfig { Abi = HostAbi.Tmi, SecurePoolGranules = 40 });
        var (rd, _) = t.Cvm(activate: false); // RD, root, TEC + 16 aux, 3 tables, 16 pages: 38 granules
        Fails(t.Call(TmiFid.TttMapRange, rd, 0x10000, 0x4000, 0, 0), TmiStatus.ErrorMemory);
        Assert.Equal(18, t.Rmm.DataPages(rd).Count());
        Assert.Contains("secure pool exhausted", t.Rmm.LastError);
        Assert.Empty(t.Rmm.CheckInvariants());
    }
}
