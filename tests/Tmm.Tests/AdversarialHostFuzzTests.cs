using System.Buffers.Binary;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// An adversarial host: random RMI calls with arguments drawn from valid and invalid values, and
/// random Realm programs, checking after every step that every call returned a defined status, no
/// exception escaped, the TMM's invariants hold (<see cref="Rmm.CheckInvariants"/>) and no RIM
/// changed after activation. Six episodes in ten also have a scripted host (AdversarialHostScript.cs)
/// whose calls, interleaved with the random ones, build, run and tear down Realms, so that DATA_CREATE,
/// REC_ENTER, PSCI_COMPLETE and RTT_SET_RIPAS are reached thousands of times, not a handful; the test
/// asserts how often every command family succeeded. CI runs 100,000 steps; a longer run:
///   VIRTCCA_FUZZ_STEPS=5000000 VIRTCCA_FUZZ_SEED=7 dotnet test tests/Tmm.Tests -c Release --filter AdversarialHost
/// </summary>
public sealed partial class AdversarialHostFuzzTests
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

    /// <summary>CI's run; the depth floors below are checked for it (and scaled for longer runs of any seed).</summary>
    private const int DefaultSteps = 100_000, DefaultSeed = 20261125, EpisodeSteps = 2000;

    /// <summary>Successful calls per command family in <see cref="DefaultSteps"/> steps, about a third of what seed 20261125 reaches.</summary>
    private static readonly (ulong Fid, int Min)[] Floors =
    [
        (RmiFid.Version, 300), (RmiFid.Features, 700), (RmiFid.GranuleDelegate, 4000), (RmiFid.GranuleUndelegate, 3000),
        (RmiFid.RealmCreate, 200), (RmiFid.RealmActivate, 150), (RmiFid.RealmDestroy, 200), (RmiFid.RecAuxCount, 250),
        (RmiFid.RecCreate, 100), (RmiFid.RecDestroy, 100), (RmiFid.RecEnter, 600), (RmiFid.PsciComplete, 10),
        (RmiFid.RttCreate, 500), (RmiFid.RttDestroy, 400), (RmiFid.RttFold, 80), (RmiFid.RttReadEntry, 90),
        (RmiFid.RttMapUnprotected, 100), (RmiFid.RttUnmapUnprotected, 60), (RmiFid.RttInitRipas, 100), (RmiFid.RttSetRipas, 15),
        (RmiFid.DataCreate, 300), (RmiFid.DataCreateUnknown, 400), (RmiFid.DataDestroy, 700),
        (Fuzzer.OnCpuEntries, 100), (Fuzzer.OnCpuExits, 100), (Fuzzer.RecCreatedAfterDestroy, 1), (Fuzzer.StaleIndexRefused, 1),
    ];

    [Fact]
    public void Random_rmi_sequences_keep_every_invariant()
    {
        int steps = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_FUZZ_STEPS"), out var s) ? s : DefaultSteps;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_FUZZ_SEED"), out var sd) ? sd : DefaultSeed;
        var rng = new Random(seed); // the run's only source of randomness
        var successes = new Dictionary<ulong, int>();
        Fuzzer? f = null;
        for (int i = 0; i < steps; i++)
        {
            // A fresh machine now and then: more creates, more teardowns. Most episodes also build Realms the way a host would.
            if (i % EpisodeSteps == 0) f = new Fuzzer(rng, successes, scripted: rng.Next(10) < 6);
            f!.Step(i);
        }
        // Depth: the random host must get past argument checks into every family of commands.
        var summary = string.Join(", ", successes.OrderBy(kv => kv.Key).Select(kv => $"0x{kv.Key:X}={kv.Value}"));
        _output.WriteLine($"{steps} steps, seed {seed}; successful calls by FID: {summary}");
        if (steps < DefaultSteps) return; // a short manual run proves nothing about depth
        foreach (var (fid, min) in Floors)
        {
            long floor = (long)min * steps / DefaultSteps;
            Assert.True(successes.GetValueOrDefault(fid) >= floor,
                $"0x{fid:X} succeeded {successes.GetValueOrDefault(fid)} times in {steps} steps, fewer than {floor}: the fuzzer is not reaching deep states ({summary})");
        }
    }

    /// <summary>One SMC the host makes: X0 = Fid, X1..X5.</summary>
    private readonly record struct Call(ulong Fid, ulong X1 = 0, ulong X2 = 0, ulong X3 = 0, ulong X4 = 0, ulong X5 = 0);

    private sealed partial class Fuzzer(Random rng, Dictionary<ulong, int> successes, bool scripted)
    {
        private readonly Random _rng = rng;
        // A scripted host needs room for a Realm with two RECs (17 granules each) beside the random host's 40.
        private readonly Rmm _rmm = new(new RmmConfig { SecurePoolGranules = scripted ? 40 + ScriptGranules : 40 });
        private readonly bool _scripted = scripted;
        private readonly Dictionary<ulong, byte[]> _rimAtActivation = new();
        private const ulong Base = 0x8000_0000, Ns = 1UL << 31; // 32-bit Realms: unprotected half from 2 GiB

        private ulong Granule() => Base + (ulong)_rng.Next(48) * 0x1000;
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

        private ulong HostPage() => Base + 0x100_0000 + (ulong)_rng.Next(8) * 0x1000; // host pages never delegated by the fuzzer's Granule()

        private bool TryWrite(ulong pa, byte[] data)
        {
            try { _rmm.HostMemory.Write(pa, data); return true; }
            catch (Memory.GranuleProtectionFault) { return false; }
        }

        private void RandomProgram()
        {
            foreach (var rec in _rmm.DelegatedGranules.Where(g => g.State == Granules.GranuleState.Rec).Select(g => g.Pa).ToList())
            {
                var steps = Enumerable.Range(0, _rng.Next(4)).Select(_ => (GuestStep)(_rng.Next(6) switch
                {
                    0 => new GuestStep.Load(Ipa()),
                    1 => new GuestStep.Store(Ipa(), (ulong)_rng.NextInt64()),
                    2 => new GuestStep.Smc(RsiFid.IpaStateSet, Ipa(), Ipa(), (ulong)_rng.Next(3), 0),
                    3 => new GuestStep.Smc(RsiFid.MeasurementExtend, (ulong)_rng.Next(5), (ulong)_rng.Next(70), 1),
                    4 => new GuestStep.Smc(Psci.CpuOn, (ulong)_rng.Next(3), Ipa(), 0),
                    _ => new GuestStep.Smc(RsiFid.HostCall, Ipa()),
                })).ToArray();
                _rmm.SetGuestProgram(rec, new GuestProgram(steps));
            }
        }

        public void Step(int i)
        {
            if (_rng.Next(8) == 0) { OnCpu(i); return; }
            _mustRefuse = null;
            var call = _scripted && _rng.Next(10) < 6 ? Plan() : null;
            var (fid, x1, x2, x3, x4, x5) = call ?? RandomCall();
            SmcResult r;
            try { r = _rmm.HostSmc(fid, x1, x2, x3, x4, x5); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"step {i}: 0x{fid:X}({x1:X}, {x2:X}, {x3:X}, {x4:X}, {x5:X}) threw {e}"); }
            if (_mustRefuse != null)
            {
                Assert.True(r.Status == RmiStatus.ErrorInput, $"step {i}: {_mustRefuse} returned {r}, not RMI_ERROR_INPUT");
                Count(StaleIndexRefused);
            }
            if (fid == RmiFid.RecCreate && r.X0 == 0 && _rmm.RecAt(x2) is { } created && created.Realm.LiveRecs < created.Realm.NextRecIndex)
                Count(RecCreatedAfterDestroy);
            Check(i, fid, (x1, x2, x3, x4), r);
        }

        private Call RandomCall()
        {
            ulong fid = Fids[_rng.Next(Fids.Length)];
            if (fid == RmiFid.RecEnter && _rng.Next(3) == 0) RandomProgram();
            var (x1, x2, x3, x4, x5) = fid switch
            {
                RmiFid.RealmCreate => (Delegated(), RealmParams(), 0UL, 0UL, 0UL),
                RmiFid.RealmActivate or RmiFid.RealmDestroy or RmiFid.RecAuxCount => (Rd(), 0UL, 0UL, 0UL, 0UL),
                RmiFid.RecCreate => (Rd(), Delegated(), RecParams(), 0UL, 0UL),
                RmiFid.RecDestroy => (Rec(), 0UL, 0UL, 0UL, 0UL),
                RmiFid.RecEnter => (Rec(), _rng.Next(4) == 0 ? Address() : HostPage(), 0UL, 0UL, 0UL),
                RmiFid.PsciComplete => (Rec(), Rec(), (ulong)_rng.Next(-4, 1), 0UL, 0UL),
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
            return new Call(fid, x1, x2, x3, x4, x5);
        }

        private void Check(int i, ulong fid, (ulong, ulong, ulong, ulong) args, SmcResult r)
        {
            var (x1, x2, x3, x4) = args;
            bool unknown = fid is 0xC4000156 or 0xC4000170;
            Assert.True(unknown ? r.X0 == RmiFid.SmcUnknown : r.X0 <= 0x304 && (byte)r.X0 <= 4,
                $"step {i}: 0x{fid:X} returned an undefined X0 0x{r.X0:X}");
            if (r.X0 == 0) successes[fid] = successes.GetValueOrDefault(fid) + 1;
            CheckState(i, $"0x{fid:X}({x1:X}, {x2:X}, {x3:X}, {x4:X})");
        }

        /// <summary>
        /// A Realm vCPU on a simulated CPU (the platform's path): enter a REC on a CPU, or have a
        /// running one trap with a random step, between the host's calls.
        /// </summary>
        private void OnCpu(int i)
        {
            var running = _rmm.DelegatedGranules.Where(g => g.State == Granules.GranuleState.Rec)
                .Select(g => _rmm.RecAt(g.Pa)!).Where(r => r.RunningWith != null).ToList();
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
                var rec = running[_rng.Next(running.Count)];
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

        /// <summary>
        /// Pseudo function ids counting the on-CPU path's successes, REC_CREATEs in a Realm that has
        /// destroyed a REC before, and REC_CREATEs with a used index that were refused.
        /// </summary>
        public const ulong OnCpuEntries = 0x1_0000_0001, OnCpuExits = 0x1_0000_0002, RecCreatedAfterDestroy = 0x1_0000_0003, StaleIndexRefused = 0x1_0000_0004;

        private void Count(ulong what) => successes[what] = successes.GetValueOrDefault(what) + 1;

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
