using VirtCca.Devices;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Host;
using VirtCca.Kvm.Vcpus;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.Kvm.Attacks;

/// <summary>
/// A malicious host as a component of its machine: KVM's attacks, one after another, while the guests
/// run. Its SMCs are made by KVM on one CPU (<see cref="KvmKinds.HostSmc"/>), its memory transactions and
/// device commands go to the TZASC and the SMMU from the normal world, and its run-loop attacks sit in a
/// vCPU's run loop on the CPU that runs it. Around each attempt it takes the victim realm's snapshot; an
/// attempt refused while the realm's state changed is a finding too.
/// </summary>
public sealed class HostAttacker(IReadOnlyList<AttackSpec> attacks, IReadOnlyList<KvmGuest> guests, IPlatformProbe probe, AttackerWiring wiring) : Component
{
    private readonly List<AttackOutcome> _outcomes = new();
    private IEnumerator<AttackStep>? _steps;
    private AttackContext? _ctx;
    private RealmSnapshot? _before;
    private SimTime _start;
    private int _current = -1;
    private long _token;
    private KvmVcpu? _hooked;

    /// <summary>How long an attack waits for its victim realm to be created and running.</summary>
    public static readonly SimTime RealmWait = SimTime.FromMicroseconds(10_000);

    public IReadOnlyList<AttackOutcome> Outcomes => _outcomes;
    public IReadOnlyList<AttackSpec> Attacks => attacks;

    public override void Start(ISimContext ctx)
    {
        if (attacks.Count > 0) ctx.Schedule(attacks[0].At, AttackerKinds.Begin, 0);
    }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case AttackerKinds.Begin: Begin((int)ev.Arg, ctx); break;
            case AttackerKinds.Resume when ev.Arg == _token:
                if (_hooked != null) { Unhook(); _ctx!.RunLoopReported = false; } // the watch ended first
                Advance(ctx);
                break;
            case AttackerKinds.Resume: break;
            case AttackerKinds.RunLoopDone when _hooked != null:
                Unhook();
                _ctx!.RunLoopReported = true;
                Advance(ctx);
                break;
            case AttackerKinds.RunLoopDone: break;
            case KvmKinds.HostSmcDone: _ctx!.Smc = ev.PayloadAs<SmcReply>(); Advance(ctx); break;
            case DeviceKinds.MemoryReply: _ctx!.Memory = ev.PayloadAs<MemReply>(); Advance(ctx); break;
            default: throw new SimulationException($"the attacker got event kind 0x{ev.Kind:X} from component {ev.Source}");
        }
    }

    private void Begin(int index, ISimContext ctx)
    {
        var spec = attacks[index];
        var scenario = AttackCatalog.Find(spec.Attack) ?? throw new SimulationException($"unknown attack '{spec.Attack}'");
        var victim = (spec.Victim is { } name ? guests.FirstOrDefault(g => g.Name == name) : guests.FirstOrDefault(g => g.IsRealm) ?? guests[0])
            ?? throw new SimulationException($"attack {index} ({spec.Attack}): no guest named '{spec.Victim}'");
        _current = index;
        _ctx = new AttackContext(spec, victim, guests, probe, wiring) { Now = ctx.Now };
        string variant = spec.Variant.Length > 0 ? spec.Variant : scenario.Variants[0];
        // A realm is attacked while it runs: one KVM is still creating is waited for, one that is gone is not.
        bool running = victim.Realm != null && victim.Vcpus[0] is { Power: not VcpuPower.NotStarted };
        if (victim.IsRealm && !running && ctx.Now < spec.At + RealmWait)
        {
            ctx.Schedule(SimTime.FromMicroseconds(10), AttackerKinds.Begin, index);
            return;
        }
        _start = ctx.Now;
        string? why = victim.IsRealm && !running ? $"{victim.Name}'s realm was not running within {RealmWait.Picoseconds / 1_000_000} us of the attack's time" : scenario.NotApplicable(_ctx);
        if (why != null)
        {
            _ctx.Result = AttackResult.NotApplicable(why);
            _before = null;
            Finish(ctx);
            return;
        }
        _before = probe.Snapshot(victim);
        _steps = scenario.Run(_ctx, variant).GetEnumerator();
        Advance(ctx);
    }

    /// <summary>Runs the attack's next step; when it has none left, the attempt is over.</summary>
    private void Advance(ISimContext ctx)
    {
        var c = _ctx!;
        c.Now = ctx.Now;
        if (!_steps!.MoveNext()) { Finish(ctx); return; }
        switch (_steps.Current)
        {
            case AttackStep.Smc s:
                var x = s.Call;
                ctx.Send(wiring.HostPe, KvmKinds.HostSmc, (long)Cores.Host.HostPhase.Run,
                    new SmcRequest { Fid = x.Fid, X1 = x.X1, X2 = x.X2, X3 = x.X3, X4 = x.X4, X5 = x.X5, World = World.NonSecure });
                break;
            case AttackStep.Device d: ctx.Send(d.Target, d.Kind, 0, d.Message); break;
            case AttackStep.Wait w: ctx.Schedule(w.Delay, AttackerKinds.Resume, ++_token); break;
            case AttackStep.InRunLoop r:
                _hooked = r.Vcpu;
                r.Vcpu.Attack = r.Attack;
                ctx.Schedule(r.Watch, AttackerKinds.Resume, ++_token);
                break;
        }
    }

    private void Unhook()
    {
        _hooked!.Attack = null;
        _hooked = null;
        _token++; // the watch's timer no longer applies
    }

    private void Finish(ISimContext ctx)
    {
        var c = _ctx!;
        var spec = attacks[_current];
        var after = _before != null ? probe.Snapshot(c.Victim) : null;
        var result = c.Result ?? AttackResult.Succeeded("the attack ended without being refused");
        if (_before != null && after != null && result.Verdict != Verdict.Succeeded && _before.Difference(after) is { Length: > 0 } changed)
            result = AttackResult.Succeeded($"{result.Verdict.ToString().ToLowerInvariant()} ({result.Component}: {result.How}), but the realm changed: {changed}");
        string variant = spec.Variant.Length > 0 ? spec.Variant : AttackCatalog.Find(spec.Attack)!.Variants[0];
        _outcomes.Add(new AttackOutcome(_current, spec.Attack, variant, c.Victim.Name, _start.Picoseconds, ctx.Now.Picoseconds, result, _before, after));
        _steps = null;
        int next = _current + 1;
        if (next < attacks.Count) ctx.Schedule(attacks[next].At > ctx.Now ? attacks[next].At - ctx.Now : SimTime.Zero, AttackerKinds.Begin, next);
    }
}
