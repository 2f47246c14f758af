using System.Buffers.Binary;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Rmi;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// An adversarial host: random RMI calls with arguments drawn from valid and invalid values, and
/// random Realm programs, checking after every step that every call returned a defined status, no
/// exception escaped, the TMM's invariants hold (<see cref="Rmm.CheckInvariants"/>) and no RIM
/// changed after activation. Every 500 steps it starts a fresh machine, two in three from a valid
/// realm (NEW with tables, or active with RECs), so deep states are reached as often as shallow ones.
/// CI runs 100,000 steps; a longer run:
///   VIRTCCA_FUZZ_STEPS=5000000 VIRTCCA_FUZZ_SEED=7 dotnet test tests/Tmm.Tests -c Release --filter AdversarialHost
/// </summary>
public sealed class AdversarialHostFuzzTests
{
    private static readonly ulong[] Fids =
    [
        RmiFid.GranuleDelegate, RmiFid.GranuleDelegate, RmiFid.GranuleDelegate, RmiFid.GranuleUndelegate, RmiFid.RealmCreate, RmiFid.RealmCreate,
        RmiFid.RealmActivate, RmiFid.RealmDestroy, RmiFid.RecAuxCount, RmiFid.RecCreate, RmiFid.RecDestroy, RmiFid.RecEnter, RmiFid.RecEnter,
        RmiFid.PsciComplete, RmiFid.RttCreate, RmiFid.RttCreate, RmiFid.RttDestroy, RmiFid.RttFold, RmiFid.RttReadEntry, RmiFid.RttMapUnprotected,
        RmiFid.RttUnmapUnprotected, RmiFid.RttInitRipas, RmiFid.RttSetRipas, RmiFid.DataCreate, RmiFid.DataCreate, RmiFid.DataCreateUnknown,
        RmiFid.DataDestroy, RmiFid.Version, RmiFid.Features, 0xC4000156, 0xC4000170,
    ];

    private readonly Xunit.Abstractions.ITestOutputHelper _output;
    public AdversarialHostFuzzTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    [Fact]
    public void Random_rmi_sequences_keep_every_invariant()
    {
        int steps = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_FUZZ_STEPS"), out var s) ? s : 100_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_FUZZ_SEED"), out var sd) ? sd : 20261125;
        var successes = new Dictionary<ulong, int>();
        var f = new Fuzzer(seed, successes);
        for (int i = 0; i < steps; i++)
        {
            if (i % 500 == 0)
            {
                // Fresh machines now and then: more creates, more teardowns. Two in three start from a
                // valid realm (NEW with its tables, or active with a REC), so the random host reaches
                // the deep states (DATA_CREATE, REC_ENTER, folds) as often as the shallow ones.
                f = new Fuzzer(seed + i, successes);
                f.WarmUp(i, (i / 500) % 3);
            }
            f.Step(i);
        }
        // Depth: the random host must get past argument checks into every family of commands.
        var summary = string.Join(", ", successes.OrderBy(kv => kv.Key).Select(kv => $"0x{kv.Key:X}={kv.Value}"));
        _output.WriteLine($"{steps} steps, seed {seed}; successful calls by FID: {summary}");
        foreach (var fid in new[] { RmiFid.RealmCreate, RmiFid.RealmActivate, RmiFid.RealmDestroy, RmiFid.RttCreate, RmiFid.RttDestroy, RmiFid.DataCreateUnknown, RmiFid.RecCreate, RmiFid.RecEnter })
            Assert.True(successes.GetValueOrDefault(fid) > 0, $"0x{fid:X} never succeeded in {steps} steps: the fuzzer is not reaching deep states ({summary})");
        if (steps >= 100_000)
            foreach (var (fid, least) in new[] { (RmiFid.DataCreate, 50), (RmiFid.DataDestroy, 50), (RmiFid.RecEnter, 100), (RmiFid.RttInitRipas, 50), (RmiFid.PsciComplete, 10), (RmiFid.RttFold, 3),
                         (Fuzzer.OnCpuEntries, 100), (Fuzzer.OnCpuExits, 100) })
                Assert.True(successes.GetValueOrDefault(fid) >= least, $"0x{fid:X} succeeded only {successes.GetValueOrDefault(fid)} times in {steps} steps ({summary})");
    }

    private sealed class Fuzzer(int seed, Dictionary<ulong, int> successes)
    {
        private readonly Random _rng = new(seed);
        private readonly Rmm _rmm = new(new RmmConfig { SecurePoolGranules = 48 }); // fewer than the 56 granules it picks from: the pool can run out
        private int _keep; // steps left in which the host does not tear the warm-up realm down
        private readonly Dictionary<ulong, byte[]> _rimAtActivation = new();
        private const ulong Base = 0x8000_0000, Ns = 1UL << 31; // 32-bit Realms: unprotected half from 2 GiB

        private ulong Granule() => Base + (ulong)_rng.Next(56) * 0x1000;
        private ulong Address() => _rng.Next(10) switch
        {
            0 => Granule() + (ulong)_rng.Next(1, 0x1000), // misaligned
            1 => (ulong)_rng.NextInt64(),                  // anywhere
            2 => 0x4000_0000,                               // outside DRAM
            _ => Granule(),
        };
        private ulong Ipa() => _rng.Next(10) switch
        {
            0 or 7 or 8 => (ulong)_rng.Next(16) * 0x1000,
            1 => (ulong)_rng.Next(4) * 0x20_0000,
            2 => Ns + (ulong)_rng.Next(4) * 0x20_0000,
            3 => Ns + (ulong)_rng.Next(16) * 0x1000,
            4 => (ulong)_rng.NextInt64(),
            5 => 1UL << 32,
            _ => (ulong)_rng.Next(16) * 0x1000 + (ulong)_rng.Next(2) * 0x123,
        };
        private ulong Level() => (ulong)(long)(_rng.Next(3) == 0 ? _rng.Next(-1, 5) : _rng.Next(2, 4));

        // Plausible arguments from the current state, most of the time; anything at all otherwise.
        private bool Smart => _rng.Next(10) < 7;
        private ulong Rd() => Smart && _rmm.Realms.Count > 0 ? _rmm.Realms.ElementAt(_rng.Next(_rmm.Realms.Count)).Rd : Address();
        private ulong Delegated()
        {
            var d = _rmm.DelegatedGranules.Where(g => g.State == Granules.GranuleState.Delegated).Select(g => g.Pa).ToList();
            return Smart && d.Count > 0 ? d[_rng.Next(d.Count)] : Granule();
        }
        private ulong Rec()
        {
            var recs = _rmm.DelegatedGranules.Where(g => g.State == Granules.GranuleState.Rec).Select(g => g.Pa).ToList();
            return Smart && recs.Count > 0 ? recs[_rng.Next(recs.Count)] : Granule();
        }

        /// <summary>Mostly: a REC waiting for PSCI_COMPLETE, the REC it named and success or DENIED; else anything.</summary>
        private (ulong, ulong, ulong, ulong, ulong) PsciCompleteArgs()
        {
            var recs = _rmm.DelegatedGranules.Where(g => g.State == Granules.GranuleState.Rec).Select(g => _rmm.RecAt(g.Pa)!).ToList();
            if (Smart && recs.FirstOrDefault(r => r.PsciPending != null) is { } calling)
            {
                var target = recs.FirstOrDefault(r => r.Realm == calling.Realm && r.Mpidr == calling.PsciPending!.Value.TargetMpidr);
                if (target != null) return (calling.Pa, target.Pa, _rng.Next(2) == 0 ? 0UL : unchecked((ulong)-3L), 0UL, 0UL);
            }
            return (Rec(), Rec(), (ulong)_rng.Next(-4, 1), 0UL, 0UL);
        }

        private ulong RealmParams()
        {
            var p = HostPage();
            var g = new byte[4096];
            g[0x008] = (byte)(_rng.Next(4) == 0 ? _rng.Next(256) : 32);
            g[0x018] = (byte)_rng.Next(3); g[0x020] = (byte)_rng.Next(3);
            g[0x030] = (byte)(_rng.Next(6) == 0 ? 2 : _rng.Next(2));
            BinaryPrimitives.WriteUInt16LittleEndian(g.AsSpan(0x800), (ushort)_rng.Next(4));
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808), _rng.Next(3) == 0 ? Address() : Granule());
            BinaryPrimitives.WriteInt64LittleEndian(g.AsSpan(0x810), _rng.Next(4) == 0 ? _rng.Next(-1, 4) : 1);
            BinaryPrimitives.WriteUInt32LittleEndian(g.AsSpan(0x818), (uint)(_rng.Next(4) == 0 ? _rng.Next(3) : 1));
            if (_rmm.HostMemory is { } hm && TryWrite(p, g)) return p;
            return Address();
        }

        private ulong RecParams()
        {
            var p = HostPage();
            var g = new byte[4096];
            g[0] = (byte)(_rng.Next(4) == 0 ? 0 : 1);
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x100), (ulong)_rng.Next(3));
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x800), (ulong)(_rng.Next(5) == 0 ? _rng.Next(18) : 16));
            var free = _rmm.DelegatedGranules.Where(x => x.State == Granules.GranuleState.Delegated).Select(x => x.Pa).OrderBy(_ => _rng.Next()).ToList();
            for (int i = 0; i < 16; i++) BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808 + 8 * i), Smart && i + 1 < free.Count ? free[i + 1] : Granule());
            return TryWrite(p, g) ? p : Address();
        }

        private ulong HostPage() => HostPage(_rng.Next(8));
        private static ulong HostPage(int k) => Base + 0x100_0000 + (ulong)k * 0x1000; // host pages never delegated by the fuzzer's Granule()

        private bool TryWrite(ulong pa, byte[] data)
        {
            try { _rmm.HostMemory.Write(pa, data); return true; }
            catch (Memory.GranuleProtectionFault) { return false; }
        }

        private void RandomProgram()
        {
            foreach (var rec in Enumerable.Range(0, 56).Select(i => Base + (ulong)i * 0x1000).Where(a => _rmm.RecAt(a) != null))
            {
                var steps = Enumerable.Range(0, _rng.Next(4)).Select(_ => (GuestStep)(_rng.Next(6) switch
                {
                    0 => new GuestStep.Load(Ipa()),
                    1 => new GuestStep.Store(Ipa(), (ulong)_rng.NextInt64()),
                    2 => new GuestStep.Smc(RsiFid.IpaStateSet, Ipa(), Ipa(), (ulong)_rng.Next(3), 0),
                    3 => new GuestStep.Smc(RsiFid.MeasurementExtend, (ulong)_rng.Next(5), (ulong)_rng.Next(70), 1),
                    4 => new GuestStep.Smc(Psci.CpuOn, (ulong)_rng.Next(3), Smart ? 0x1000 : Ipa(), 0),
                    _ => new GuestStep.Smc(RsiFid.HostCall, Ipa()),
                })).ToArray();
                _rmm.SetGuestProgram(rec, new GuestProgram(steps));
            }
        }

        /// <summary>
        /// A valid start, made of the same checked calls: <paramref name="depth"/> 0 nothing, 1 a NEW
        /// realm with tables down to level 3 over RAM [0, 64 KiB), 2 that realm with a measured page,
        /// two RECs (the second not runnable, for PSCI CPU_ON) and activated. For the next 300 steps
        /// the host does not destroy RECs or realms, so the deep states get explored before teardown.
        /// </summary>
        public void WarmUp(int i, int depth)
        {
            if (depth == 0) return;
            _keep = 300;
            ulong G(int k) => Base + (ulong)k * 0x1000;
            void Ok(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0) =>
                Assert.True(Execute(i, fid, x1, x2, x3, x4, x5).X0 == 0, $"warm-up 0x{fid:X} failed: {_rmm.LastError}");
            foreach (int k in Enumerable.Range(0, depth == 2 ? 39 : 4)) Ok(RmiFid.GranuleDelegate, G(k));
            var p = new RealmParams(0, 32, 0, 1, 1, 0, 0, new byte[64], 1, G(1), 1, 1).ToGranule();
            _rmm.HostMemory.Write(HostPage(0), p);
            Ok(RmiFid.RealmCreate, G(0), HostPage(0));
            Ok(RmiFid.RttCreate, G(0), G(2), 0, 2);
            Ok(RmiFid.RttCreate, G(0), G(3), 0, 3);
            Ok(RmiFid.RttInitRipas, G(0), 0, 0x10000);
            if (depth == 1) return;
            _rmm.HostMemory.Write(HostPage(1), Enumerable.Range(0, 4096).Select(b => (byte)b).ToArray());
            Ok(RmiFid.DataCreate, G(0), G(4), 0x1000, HostPage(1), 1);
            for (int r = 0; r < 2; r++)
            {
                var aux = Enumerable.Range(6 + 17 * r, 16).Select(k => G(k)).ToArray();
                var rec = new Recs.RecParams(r == 0 ? Recs.RecParams.FlagRunnable : 0, Recs.RecParams.MpidrOf(r), 0x1000, [], 16, aux);
                _rmm.HostMemory.Write(HostPage(2), rec.ToGranule());
                Ok(RmiFid.RecCreate, G(0), G(5 + 17 * r), HostPage(2));
            }
            Ok(RmiFid.RealmActivate, G(0));
        }

        public void Step(int i)
        {
            if (_rng.Next(8) == 0) { OnCpu(i); return; }
            ulong fid = Fids[_rng.Next(Fids.Length)];
            if (_keep > 0 && --_keep >= 0)
                while (fid is RmiFid.RecDestroy or RmiFid.RealmDestroy) fid = Fids[_rng.Next(Fids.Length)];
            if (fid == RmiFid.RecEnter && _rng.Next(3) == 0) RandomProgram();
            var (x1, x2, x3, x4, x5) = fid switch
            {
                RmiFid.RealmCreate => (Delegated(), RealmParams(), 0UL, 0UL, 0UL),
                RmiFid.RealmActivate or RmiFid.RealmDestroy or RmiFid.RecAuxCount => (Rd(), 0UL, 0UL, 0UL, 0UL),
                RmiFid.RecCreate => (Rd(), Delegated(), RecParams(), 0UL, 0UL),
                RmiFid.RecDestroy => (Rec(), 0UL, 0UL, 0UL, 0UL),
                RmiFid.RecEnter => (Rec(), _rng.Next(4) == 0 ? Address() : HostPage(), 0UL, 0UL, 0UL),
                RmiFid.PsciComplete => PsciCompleteArgs(),
                RmiFid.RttCreate => (Rd(), Delegated(), Ipa(), Level(), 0UL),
                RmiFid.RttDestroy or RmiFid.RttFold or RmiFid.RttReadEntry or RmiFid.RttUnmapUnprotected => (Rd(), Ipa(), Level(), 0UL, 0UL),
                RmiFid.RttMapUnprotected => (Rd(), Ipa(), Level(), _rng.Next(3) == 0 ? Address() : Granule() & ~0x1F_FFFFUL, 0UL),
                RmiFid.RttInitRipas => (Rd(), Ipa(), Ipa(), 0UL, 0UL),
                RmiFid.RttSetRipas => (Rd(), Rec(), Ipa(), Ipa(), 0UL),
                RmiFid.DataCreate => (Rd(), Delegated(), Ipa(), _rng.Next(4) == 0 ? Address() : HostPage(), (ulong)_rng.Next(3)),
                RmiFid.DataCreateUnknown => (Rd(), Delegated(), Ipa(), 0UL, 0UL),
                RmiFid.DataDestroy => (Rd(), Ipa(), 0UL, 0UL, 0UL),
                RmiFid.Version => (_rng.Next(2) == 0 ? 0x10000UL : (ulong)_rng.Next(), 0UL, 0UL, 0UL, 0UL),
                _ => (Address(), 0UL, 0UL, 0UL, 0UL),
            };
            Execute(i, fid, x1, x2, x3, x4, x5);
        }

        /// <summary>One call with every check: a defined status, no exception, the invariants, no RIM change after activation.</summary>
        private SmcResult Execute(int i, ulong fid, ulong x1, ulong x2, ulong x3, ulong x4, ulong x5)
        {
            SmcResult r;
            try { r = _rmm.HostSmc(fid, x1, x2, x3, x4, x5); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"step {i}: 0x{fid:X}({x1:X}, {x2:X}, {x3:X}, {x4:X}, {x5:X}) threw {e}"); }

            bool unknown = fid is 0xC4000156 or 0xC4000170;
            Assert.True(unknown ? r.X0 == RmiFid.SmcUnknown : r.X0 <= 0x304 && (byte)r.X0 <= 4,
                $"step {i}: 0x{fid:X} returned an undefined X0 0x{r.X0:X}");
            if (r.X0 == 0) successes[fid] = successes.GetValueOrDefault(fid) + 1;
            CheckState(i, $"0x{fid:X}({x1:X}, {x2:X}, {x3:X}, {x4:X})");
            return r;
        }

        /// <summary>
        /// A Realm vCPU on a simulated CPU (the platform's path): enter a REC on a CPU, or have a
        /// running one trap with a random step, between the host's calls.
        /// </summary>
        private void OnCpu(int i)
        {
            var running = Enumerable.Range(0, 56).Select(k => _rmm.RecAt(Base + (ulong)k * 0x1000)).Where(r => r?.RunningWith != null).ToList();
            string what;
            if (running.Count == 0 || _rng.Next(4) == 0)
            {
                ulong rec = Rec(), run = _rng.Next(4) == 0 ? Address() : HostPage();
                what = $"EnterOnCpu({rec:X}, {run:X})";
                SmcResult r;
                try { r = _rmm.EnterOnCpu(rec, run); }
                catch (Exception e) { throw new Xunit.Sdk.XunitException($"step {i}: {what} threw {e}"); }
                Assert.True(r.X0 <= 0x304 && (byte)r.X0 <= 4, $"step {i}: {what} returned an undefined X0 0x{r.X0:X}");
                if (r.X0 == 0) successes[OnCpuEntries] = successes.GetValueOrDefault(OnCpuEntries) + 1;
            }
            else
            {
                var rec = running[_rng.Next(running.Count)]!;
                GuestStep step = _rng.Next(8) switch
                {
                    0 => new GuestStep.Load(Ipa(), 1 << _rng.Next(4)),
                    1 => new GuestStep.Store(Ipa(), (ulong)_rng.NextInt64(), 1 << _rng.Next(4)),
                    2 => new GuestStep.Fetch(Ipa()),
                    3 => new GuestStep.Wfi(),
                    4 => new GuestStep.Interrupt(),
                    5 => new GuestStep.SysRegWrite((ulong)_rng.Next(1 << 25), (ulong)_rng.NextInt64()),
                    6 => new GuestStep.Smc(Psci.CpuOn, (ulong)_rng.Next(3), 0x1000, 0),
                    _ => new GuestStep.Smc(RsiFid.Version + (ulong)_rng.Next(10), Ipa(), Ipa(), (ulong)_rng.Next(3)),
                };
                what = $"RealmTrap({rec.Pa:X}, {step})";
                RealmTrapResult t;
                try { t = _rmm.RealmTrap(rec.Pa, step); }
                catch (Exception e) { throw new Xunit.Sdk.XunitException($"step {i}: {what} threw {e}"); }
                if (t.Exited) successes[OnCpuExits] = successes.GetValueOrDefault(OnCpuExits) + 1;
            }
            CheckState(i, what);
        }

        /// <summary>Pseudo function ids for counting the on-CPU path's successes.</summary>
        public const ulong OnCpuEntries = 0x1_0000_0001, OnCpuExits = 0x1_0000_0002;

        /// <summary>The TMM's invariants hold, and no RIM changed after activation.</summary>
        private void CheckState(int i, string after)
        {
            var problems = _rmm.CheckInvariants();
            Assert.True(problems.Count == 0, $"step {i}: after {after}: {string.Join("; ", problems)}");
            foreach (var realm in _rmm.Realms)
            {
                if (realm.State == RealmState.New) continue;
                var rim = realm.Measurement.Value(0);
                if (!_rimAtActivation.TryGetValue(realm.Rd, out var at)) _rimAtActivation[realm.Rd] = rim;
                else Assert.True(at.AsSpan().SequenceEqual(rim), $"step {i}: the RIM of Realm 0x{realm.Rd:X} changed after activation");
            }
            foreach (var rd in _rimAtActivation.Keys.Where(rd => _rmm.Realms.All(x => x.Rd != rd)).ToList()) _rimAtActivation.Remove(rd);
        }
    }
}
