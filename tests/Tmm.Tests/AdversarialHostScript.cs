using System.Buffers.Binary;
using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm.Tests;

public sealed partial class AdversarialHostFuzzTests
{
    /// <summary>Granules the scripted host delegates from (two RECs of 17 granules, tables, DATA).</summary>
    private const int ScriptGranules = 72;

    /// <summary>
    /// The scripted host of an episode: it builds one Realm at a time the way a host does (delegate,
    /// REALM_CREATE, tables to level 3, INIT_RIPAS, DATA, RECs, ACTIVATE), runs its RECs with small
    /// guest programs (answering PSCI and RIPAS requests), and tears it down again (REC_DESTROY,
    /// DATA_DESTROY, RTT_FOLD / RTT_DESTROY, REALM_DESTROY, UNDELEGATE). Each call is planned from the
    /// state the TMM is in now, so the random host's calls between them steer it elsewhere rather
    /// than break it. All choices come from the run's one <see cref="Random"/>.
    /// </summary>
    private sealed partial class Fuzzer
    {
        private const ulong ScriptBase = Base + 0x200_0000, RunPage = Base + 0x180_0000, ParamsPage = RunPage + 0x1000,
            SourcePage = RunPage + 0x2000, SharedPages = Base + 0x190_0000;
        private const int RamPages = 16;
        private ulong? _rd;       // the script's Realm (being built, run or torn down)
        private bool _teardown;
        private int _wantRecs;    // RECs the script gives its Realm before activating it

        private static readonly ulong[] ScriptRange = Enumerable.Range(0, ScriptGranules).Select(k => ScriptBase + (ulong)k * 0x1000).ToArray();

        private List<ulong> Shuffled(GranuleState state) =>
            ScriptRange.Where(g => _rmm.GranuleStateOf(g) == state).OrderBy(_ => _rng.Next()).ToList();

        /// <summary>A call needing <paramref name="n"/> free DELEGATED granules, or the delegation that gets one closer.</summary>
        private Call? WithFree(int n, Func<List<ulong>, Call?> make)
        {
            var free = Shuffled(GranuleState.Delegated);
            if (free.Count >= n) return make(free);
            var host = Shuffled(GranuleState.Undelegated);
            return host.Count > 0 ? new Call(RmiFid.GranuleDelegate, host[0]) : null;
        }

        private Call? Plan()
        {
            var realm = _rd is { } rd ? _rmm.Realms.FirstOrDefault(r => r.Rd == rd) : null;
            if (realm == null) return Begin();
            if (_teardown || realm.State == RealmState.SystemOff) return Dismantle(realm, realm.Root) ?? new Call(RmiFid.RealmDestroy, realm.Rd);
            if (_rng.Next(realm.State == RealmState.New ? 200 : 80) == 0) _teardown = true;
            var (_, reached) = realm.Walk(0, 3);
            if (reached < 3) return WithFree(1, f => new Call(RmiFid.RttCreate, realm.Rd, f[0], 0, (ulong)reached + 1));
            return realm.State == RealmState.New ? Populate(realm) : Run(realm);
        }

        /// <summary>Between Realms: what the last one left delegated goes back, then the next Realm is created.</summary>
        private Call? Begin()
        {
            var free = Shuffled(GranuleState.Delegated);
            if (_rd != null && free.Count > 0) return new Call(RmiFid.GranuleUndelegate, free[0]);
            _rd = null;
            _teardown = false;
            return WithFree(2, f =>
            {
                _rd = f[0];
                _wantRecs = 1 + _rng.Next(2);
                var g = new byte[4096];
                g[0x008] = 32; g[0x018] = 1; g[0x020] = 1; g[0x030] = (byte)_rng.Next(2);
                _rng.NextBytes(g.AsSpan(0x400, 64));
                BinaryPrimitives.WriteUInt16LittleEndian(g.AsSpan(0x800), (ushort)(100 + _rng.Next(900)));
                BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808), f[1]);
                BinaryPrimitives.WriteInt64LittleEndian(g.AsSpan(0x810), 1);
                BinaryPrimitives.WriteUInt32LittleEndian(g.AsSpan(0x818), 1);
                return TryWrite(ParamsPage, g) ? new Call(RmiFid.RealmCreate, f[0], ParamsPage) : null;
            });
        }

        /// <summary>A NEW Realm: RIPAS, DATA, RECs, shared mappings, table changes, and in the end ACTIVATE.</summary>
        private Call? Populate(Realm realm)
        {
            var l3 = realm.Walk(0, 3).Table;
            if (realm.LiveRecs < _wantRecs && _rng.Next(3) != 0) return NewRec(realm); // a Realm worth activating has its RECs
            switch (_rng.Next(13))
            {
                case 0 or 1 or 2:
                    return WithFree(1, f =>
                    {
                        var content = new byte[4096];
                        _rng.NextBytes(content.AsSpan(0, _rng.Next(64)));
                        return TryWrite(SourcePage, content) ? new Call(RmiFid.DataCreate, realm.Rd, f[0], PageToFill(l3), SourcePage, (ulong)_rng.Next(2)) : null;
                    });
                case 3 or 4: return WithFree(1, f => new Call(RmiFid.DataCreateUnknown, realm.Rd, f[0], PageToFill(l3)));
                case 5:
                    ulong b = PageToFill(l3);
                    return new Call(RmiFid.RttInitRipas, realm.Rd, b, b + (ulong)(1 + _rng.Next(RamPages)) * 0x1000);
                case 6 or 7 when realm.LiveRecs < 2: return NewRec(realm);
                case 8: return Shared(realm);
                case 9: return Restructure(realm);
                case 10 when realm.LiveRecs > 0 && _rng.Next(3) == 0:
                    // Destroy a REC of the NEW Realm; its index stays used, the next REC_CREATE must take a fresh one.
                    var recs = RecsOf(realm);
                    return new Call(RmiFid.RecDestroy, recs[_rng.Next(recs.Count)].Pa);
                default: return realm.LiveRecs >= _wantRecs || _rng.Next(30) == 0 ? new Call(RmiFid.RealmActivate, realm.Rd) : null;
            }
        }

        /// <summary>
        /// REC_CREATE with the next index (rec_count) — or, one time in five once indices have been used,
        /// with an index already handed out (to a live or a destroyed REC), which must be refused.
        /// </summary>
        private Call? NewRec(Realm realm) => WithFree(1 + 16, f =>
        {
            int index = realm.NextRecIndex;
            if (index > 0 && _rng.Next(5) == 0)
            {
                index = _rng.Next(index);
                _mustRefuse = $"REC_CREATE with MPIDR index {index}, below rec_count {realm.NextRecIndex}";
            }
            return new Call(RmiFid.RecCreate, realm.Rd, f[0], RecParamsPage(index, realm.LiveRecs == 0 || _rng.Next(2) == 0, f[1..17]));
        });

        /// <summary>Set when the next planned call must fail with RMI_ERROR_INPUT: what it is.</summary>
        private string? _mustRefuse;

        /// <summary>An ACTIVE Realm: mostly REC_ENTER (with the PSCI and RIPAS answers its RECs wait for), some memory changes.</summary>
        private Call? Run(Realm realm)
        {
            var l3 = realm.Walk(0, 3).Table;
            switch (_rng.Next(10))
            {
                case 6: return WithFree(1, f => new Call(RmiFid.DataCreateUnknown, realm.Rd, f[0], PageToFill(l3)));
                case 7:
                    var assigned = Enumerable.Range(0, RamPages).Where(k => l3.Entries[l3.IndexOf((ulong)k * 0x1000)].Hipas == Hipas.Assigned).ToList();
                    return assigned.Count > 0 ? new Call(RmiFid.DataDestroy, realm.Rd, (ulong)assigned[_rng.Next(assigned.Count)] * 0x1000) : null;
                case 8: return Shared(realm);
                case 9: return Restructure(realm);
                default: return Enter(realm);
            }
        }

        /// <summary>An unassigned page of the Realm's RAM window when there is one.</summary>
        private ulong PageToFill(Rtt l3)
        {
            var free = Enumerable.Range(0, RamPages).Where(k => l3.Entries[l3.IndexOf((ulong)k * 0x1000)].Hipas == Hipas.Unassigned).ToList();
            return (ulong)(free.Count > 0 && _rng.Next(8) != 0 ? free[_rng.Next(free.Count)] : _rng.Next(RamPages)) * 0x1000;
        }

        /// <summary>Tables over the unprotected half, then host pages mapped and unmapped there (now and then a delegated granule).</summary>
        private Call? Shared(Realm realm)
        {
            var (ns, reached) = realm.Walk(Ns, 3);
            if (reached < 3) return WithFree(1, f => new Call(RmiFid.RttCreate, realm.Rd, f[0], Ns, (ulong)reached + 1));
            int k = _rng.Next(RamPages);
            ulong ipa = Ns + (ulong)k * 0x1000;
            if (ns.Entries[ns.IndexOf(ipa)].Hipas == Hipas.AssignedNs) return new Call(RmiFid.RttUnmapUnprotected, realm.Rd, ipa, 3);
            ulong oa = _rng.Next(8) == 0 ? ScriptBase + (ulong)_rng.Next(ScriptGranules) * 0x1000 : SharedPages + (ulong)k * 0x1000;
            return new Call(RmiFid.RttMapUnprotected, realm.Rd, ipa, 3, oa | (ulong)_rng.Next(2) * (0b11UL << 6) | (ulong)_rng.Next(2) * (0b101UL << 2));
        }

        /// <summary>RTT_FOLD or RTT_DESTROY of the deepest table over the RAM window or the shared window.</summary>
        private Call? Restructure(Realm realm)
        {
            ulong ipa = _rng.Next(2) == 0 ? 0 : Ns;
            var (_, reached) = realm.Walk(ipa, 3);
            if (reached < 2) return null;
            return new Call(_rng.Next(2) == 0 ? RmiFid.RttFold : RmiFid.RttDestroy, realm.Rd, ipa, (ulong)reached);
        }

        /// <summary>The next teardown call for a table tree: deepest first, DATA and shared mappings before their tables.</summary>
        private Call? Dismantle(Realm realm, Rtt t)
        {
            var recs = RecsOf(realm);
            if (recs.Count > 0) return new Call(RmiFid.RecDestroy, recs[_rng.Next(recs.Count)].Pa);
            for (int k = 0; k < t.Entries.Length; k++)
            {
                var e = t.Entries[k];
                ulong ipa = t.Base + (ulong)k * t.EntrySize;
                switch (e.Hipas)
                {
                    case Hipas.Table:
                        return Dismantle(realm, e.Child!) ?? new Call(_rng.Next(4) == 0 ? RmiFid.RttFold : RmiFid.RttDestroy, realm.Rd, ipa, (ulong)e.Child!.Level);
                    case Hipas.Assigned when t.Level == 3: return new Call(RmiFid.DataDestroy, realm.Rd, ipa);
                    case Hipas.AssignedNs: return new Call(RmiFid.RttUnmapUnprotected, realm.Rd, ipa, (ulong)t.Level);
                    case Hipas.Assigned: return WithFree(1, f => new Call(RmiFid.RttCreate, realm.Rd, f[0], ipa, (ulong)t.Level + 1)); // split a block first
                }
            }
            return null;
        }

        private List<Rec> RecsOf(Realm realm) =>
            _rmm.DelegatedGranules.Where(g => g.State == GranuleState.Rec).Select(g => _rmm.RecAt(g.Pa)!).Where(r => r.Realm == realm).ToList();

        private ulong RecParamsPage(int index, bool runnable, List<ulong> aux)
        {
            var g = new byte[4096];
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x000), runnable ? 1UL : 0UL);
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x100), Abi.Mpidr.Of(index));
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x200), (ulong)_rng.Next(RamPages) * 0x1000);
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x300), (ulong)_rng.NextInt64());
            BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x800), 16);
            for (int i = 0; i < aux.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808 + 8 * i), aux[i]);
            return TryWrite(ParamsPage, g) ? ParamsPage : Address();
        }

        /// <summary>REC_ENTER of one of the Realm's RECs, or first the PSCI_COMPLETE / RTT_SET_RIPAS it waits for.</summary>
        private Call? Enter(Realm realm)
        {
            var recs = RecsOf(realm);
            if (recs.Count == 0) { _teardown = true; return null; }
            var runnable = recs.Where(r => r.Runnable).ToList();
            var rec = runnable.Count > 0 && _rng.Next(5) != 0 ? runnable[_rng.Next(runnable.Count)] : recs[_rng.Next(recs.Count)];
            if (rec.PsciPending is { } psci)
            {
                var target = recs.FirstOrDefault(t => t.Mpidr == psci.TargetMpidr) ?? recs[_rng.Next(recs.Count)];
                ulong status = psci.Fid == Psci.CpuOn && !target.Runnable && _rng.Next(3) == 0 ? Psci.Denied : Psci.Success;
                return new Call(RmiFid.PsciComplete, rec.Pa, target.Pa, status);
            }
            if (rec.PendingRipas is { } ripas && ripas.Addr < ripas.Top && _rng.Next(4) != 0)
                return new Call(RmiFid.RttSetRipas, realm.Rd, rec.Pa, ripas.Addr, Math.Min(ripas.Top, ripas.Addr + (ulong)(1 + _rng.Next(4)) * 0x1000));
            if (!rec.Program.HasNext) _rmm.SetGuestProgram(rec.Pa, new GuestProgram(Enumerable.Range(0, 1 + _rng.Next(5)).Select(_ => GuestStepFor(realm)).ToArray()));

            var entry = new byte[0x800];
            ulong flags = rec.LastAbort switch
            {
                { Emulatable: true } when _rng.Next(2) == 0 => 1,   // EMUL_MMIO
                { Unprotected: true } when _rng.Next(4) == 0 => 2, // INJECT_SEA
                _ => 0,
            };
            if (_rng.Next(4) == 0) flags |= 4;                                  // TRAP_WFI
            if (rec.PendingRipas != null && _rng.Next(4) == 0) flags |= 16;     // RIPAS_RESPONSE = REJECT
            BinaryPrimitives.WriteUInt64LittleEndian(entry, flags);
            BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(0x200), (ulong)_rng.NextInt64());
            if (_rng.Next(4) == 0) BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(0x308), 1UL << 62 | (uint)(32 + _rng.Next(16))); // a pending vINTID
            return TryWrite(RunPage, entry) ? new Call(RmiFid.RecEnter, rec.Pa, RunPage) : null;
        }

        /// <summary>A plausible Realm instruction: memory in its RAM or shared window, RSI and PSCI calls with mostly valid arguments.</summary>
        private GuestStep GuestStepFor(Realm realm)
        {
            ulong Page() => (ulong)_rng.Next(RamPages) * 0x1000;
            ulong Ram() => Page() + (ulong)_rng.Next(512) * 8;
            ulong Value() => (ulong)_rng.NextInt64();
            var live = RecsOf(realm);
            // Mostly a live REC; now and then any index handed out (a destroyed REC's too) or one past it.
            ulong Other() => live.Count > 0 && _rng.Next(4) != 0 ? live[_rng.Next(live.Count)].Mpidr : Abi.Mpidr.Of(_rng.Next(realm.NextRecIndex + 1));
            return _rng.Next(17) switch
            {
                0 => new GuestStep.Load(Ram()),
                1 => new GuestStep.Store(Ram(), Value()),
                2 => new GuestStep.Load(Ns + Ram()),
                3 => new GuestStep.Store(Ns + Ram(), Value(), 1 << _rng.Next(4)),
                4 => new GuestStep.Smc(RsiFid.MeasurementRead, (ulong)_rng.Next(5)),
                5 => new GuestStep.Smc(RsiFid.MeasurementExtend, (ulong)(1 + _rng.Next(4)), (ulong)_rng.Next(65), Value(), Value()),
                6 => new GuestStep.Smc(RsiFid.IpaStateSet, Page(), Page() + (ulong)(1 + _rng.Next(4)) * 0x1000, (ulong)_rng.Next(2), (ulong)_rng.Next(2)),
                7 => new GuestStep.Smc(RsiFid.IpaStateGet, Page(), Page() + 0x4000),
                8 => new GuestStep.Smc(RsiFid.HostCall, Page() + (ulong)_rng.Next(16) * 256),
                9 => new GuestStep.Smc(RsiFid.RealmConfig, Page()),
                10 => new GuestStep.Smc(Psci.CpuOn, Other(), Page(), Value()),
                11 => new GuestStep.Smc(Psci.AffinityInfo, Other(), 0),
                12 => new GuestStep.Smc(RsiFid.Version, 0x10000),
                13 => new GuestStep.Wfi(),
                14 => new GuestStep.Fetch(Ram()),
                15 => new GuestStep.Interrupt(),
                _ => _rng.Next(8) == 0 ? new GuestStep.Smc(Psci.SystemOff) : new GuestStep.Smc(Psci.CpuOff),
            };
        }
    }
}
