using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.SecureMonitor;

/// <summary>How EL3 disposes of an SMC from NS-EL2: the steps it takes and, for the TMM, the request to send.</summary>
public sealed record SmcDispatch(SmcTarget Target, IReadOnlyList<Step> Steps, SmcRequest? TmmRequest, PsciResult Psci = default);

/// <summary>
/// The secure monitor of one PE: SMC routing by SMCCC range, the PSCI firmware, and the world
/// switch of register contexts. It owns the PE's register file (<see cref="Live"/>) and one saved
/// context per world. The PE charges each step's cost and calls <see cref="Apply"/> for the steps
/// that switch worlds, so the save/restore happens at the step that pays for it.
/// </summary>
public sealed class El3Monitor(PlatformConfiguration config, WorldSwitchCosts costs)
{
    private readonly CpuContext[] _saved = [new(), new()];
    private SmcReply? _result;
    // The flows depend only on the configuration and the costs, both fixed: built once, not per SMC
    // (every realm re-entry is an SMC, and building them was ~10 % of a realm exit's host time).
    private IReadOnlyList<Step>? _rmiCall, _firmwareCall;

    public PlatformConfiguration Configuration { get; } = config;
    public PsciFirmware Psci { get; } = new();
    /// <summary>The PE's register file as the running software sees it.</summary>
    public CpuContext Live { get; } = new();
    /// <summary>The world whose context is in <see cref="Live"/>.</summary>
    public SecurityState LiveWorld { get; private set; } = SecurityState.NonSecure;
    public long Saves { get; private set; }
    public long Restores { get; private set; }

    public CpuContext Saved(SecurityState world) => _saved[(int)world];

    /// <summary>KVM executed SMC with X0..X5 in <see cref="Live"/>: where it goes and what it costs.</summary>
    public SmcDispatch Smc()
    {
        ulong fid = Live.X[0];
        var target = SmcRouter.Route(fid);
        switch (target)
        {
            case SmcTarget.Tmm when Configuration.HasTmm():
                var request = new SmcRequest
                {
                    Fid = fid, X1 = Live.X[1], X2 = Live.X[2], X3 = Live.X[3], X4 = Live.X[4], X5 = Live.X[5], World = World.NonSecure,
                };
                return new SmcDispatch(target, _rmiCall ??= WorldSwitch.RmiCall(Configuration, costs), request);
            case SmcTarget.PsciFirmware:
                var psci = Psci.Call(fid, Live.X[1], Live.X[2]);
                Answer(psci.X0);
                return new SmcDispatch(target, _firmwareCall ??= WorldSwitch.FirmwareCall(costs), null, psci);
            default:
                // No TMM in the baseline: its function ids are as unknown as any other.
                Answer(SmcRouter.SmcUnknown);
                return new SmcDispatch(SmcTarget.Unknown, _firmwareCall ??= WorldSwitch.FirmwareCall(costs), null);
        }
    }

    /// <summary>The TMM's answer; it reaches X0..X4 when the normal world's context is restored.</summary>
    public void TmmAnswered(SmcReply reply) => _result = reply;

    /// <summary>Performs a step's context switch.</summary>
    public void Apply(WorldChange change)
    {
        if (change == WorldChange.None) return;
        if (!Configuration.HasTmm()) throw new InvalidOperationException("the baseline never switches worlds");
        bool sel2 = Configuration == PlatformConfiguration.VirtccaSel2;
        if (change == WorldChange.ToSecure)
        {
            if (LiveWorld != SecurityState.NonSecure) throw new InvalidOperationException("EL3 asked to enter the secure world from the secure world");
            Save(SecurityState.NonSecure);
            if (sel2) Restore(SecurityState.Secure); // virtcca-el3: the TMM runs in EL3 on its own stack, no S-EL2 context
            LiveWorld = SecurityState.Secure;
        }
        else
        {
            if (LiveWorld != SecurityState.Secure) throw new InvalidOperationException("EL3 asked to return to the normal world from the normal world");
            if (sel2) Save(SecurityState.Secure);
            Restore(SecurityState.NonSecure);
            LiveWorld = SecurityState.NonSecure;
            if (_result is { } r) { Live.X[0] = r.X0; Live.X[1] = r.X1; Live.X[2] = r.X2; Live.X[3] = r.X3; Live.X[4] = r.X4; _result = null; }
        }
    }

    private void Save(SecurityState world) { Live.CopyTo(_saved[(int)world]); Saves++; }
    private void Restore(SecurityState world) { _saved[(int)world].CopyTo(Live); Restores++; }

    /// <summary>EL3 answered the SMC itself: X0 = result, X1..X3 cleared as SMCCC asks of unused results.</summary>
    private void Answer(ulong x0) { Live.X[0] = x0; Live.X[1] = Live.X[2] = Live.X[3] = 0; }
}
