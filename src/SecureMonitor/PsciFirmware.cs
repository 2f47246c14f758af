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
    public const ulong Version = 0x84000000, CpuOff = 0x84000002, Features = 0x8400000A;
    public const ulong CpuOn = 0xC4000003, CpuOn32 = 0x84000003;
    public const ulong Success = 0, NotSupported = unchecked((ulong)-1L), InvalidParameters = unchecked((ulong)-2L);
    /// <summary>PSCI 1.1: major in [31:16], minor in [15:0].</summary>
    public const ulong Version11 = 0x0001_0001;

    public long Calls { get; private set; }

    public PsciResult Call(ulong fid, ulong x1, ulong x2)
    {
        Calls++;
        return fid switch
        {
            Version => new(Version11),
            Features => new(x1 is Version or CpuOff or Features or CpuOn or CpuOn32 ? Success : NotSupported),
            CpuOff => new(Success, PsciAction.PowerOffSelf),
            CpuOn or CpuOn32 => new(Success, PsciAction.PowerOnOther, x1, x2),
            _ => new(NotSupported),
        };
    }
}
