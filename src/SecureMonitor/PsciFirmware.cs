using VirtCca.Tmm.Abi;

namespace VirtCca.SecureMonitor;

/// <summary>What the PE must do after the firmware answered a PSCI call.</summary>
public enum PsciAction { None, PowerOffSelf, PowerOnOther }

/// <summary>The firmware's answer: X0 and what follows from it (for CPU_ON: which CPU to power on).</summary>
public readonly record struct PsciResult(ulong X0, PsciAction Action = PsciAction.None, ulong TargetMpidr = 0, ulong EntryPoint = 0);

/// <summary>
/// The PSCI part of the EL3 firmware on one PE (PSCI 1.1 function ids). It answers from what the
/// PE can know itself; calls that need a machine-wide view of power states (AFFINITY_INFO,
/// SYSTEM_OFF, ...) are answered NOT_SUPPORTED until a machine-level firmware actor exists.
/// </summary>
public sealed class PsciFirmware
{
    public long Calls { get; private set; }

    public PsciResult Call(ulong fid, ulong x1, ulong x2)
    {
        Calls++;
        return fid switch
        {
            Psci.Version => new(Psci.Version11),
            Psci.Features => new(x1 is Psci.Version or Psci.CpuOff or Psci.Features or Psci.CpuOn or Psci.CpuOn32 ? Psci.Success : Psci.NotSupported),
            Psci.CpuOff => new(Psci.Success, PsciAction.PowerOffSelf),
            Psci.CpuOn or Psci.CpuOn32 => new(Psci.Success, PsciAction.PowerOnOther, x1, x2),
            _ => new(Psci.NotSupported),
        };
    }
}
