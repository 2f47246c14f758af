namespace VirtCca.SecureMonitor;

/// <summary>Arm exception levels.</summary>
public enum ExceptionLevel { El0, El1, El2, El3 }

/// <summary>The two TrustZone worlds (EL3 counts as secure).</summary>
public enum SecurityState { NonSecure, Secure }

/// <summary>Where a PE executes: an exception level in a security state.</summary>
public readonly record struct PeLevel(ExceptionLevel El, SecurityState Security)
{
    public static readonly PeLevel NsEl1 = new(ExceptionLevel.El1, SecurityState.NonSecure);
    public static readonly PeLevel NsEl2 = new(ExceptionLevel.El2, SecurityState.NonSecure);
    public static readonly PeLevel SEl1 = new(ExceptionLevel.El1, SecurityState.Secure);
    public static readonly PeLevel SEl2 = new(ExceptionLevel.El2, SecurityState.Secure);
    public static readonly PeLevel El3 = new(ExceptionLevel.El3, SecurityState.Secure);

    public override string ToString() =>
        El == ExceptionLevel.El3 ? "EL3" : $"{(Security == SecurityState.Secure ? "S" : "NS")}-EL{(int)El}";
}

/// <summary>
/// The platform configurations (ARCHITECTURE §2), and bare metal to measure them against: in
/// <see cref="Native"/> the program runs on the host kernel with no hypervisor, so what would be an exit
/// is a system call, an interrupt or a device access the kernel handles itself.
/// </summary>
public enum PlatformConfiguration { Baseline, VirtccaSel2, VirtccaEl3, Native }

public static class PlatformConfigurations
{
    /// <summary>The configuration's name as HOCON and reports spell it.</summary>
    public static string Name(this PlatformConfiguration c) => c switch
    {
        PlatformConfiguration.Baseline => "baseline",
        PlatformConfiguration.VirtccaSel2 => "virtcca-sel2",
        PlatformConfiguration.Native => "native",
        _ => "virtcca-el3",
    };

    /// <summary>Every configuration's name, in the order reports list them.</summary>
    public static readonly string[] Names = ["native", "baseline", "virtcca-sel2", "virtcca-el3"];

    public static PlatformConfiguration Parse(string name) => name switch
    {
        "baseline" => PlatformConfiguration.Baseline,
        "virtcca-sel2" => PlatformConfiguration.VirtccaSel2,
        "virtcca-el3" => PlatformConfiguration.VirtccaEl3,
        "native" => PlatformConfiguration.Native,
        _ => throw new ArgumentException($"configuration '{name}' is not one of native, baseline, virtcca-sel2, virtcca-el3"),
    };

    /// <summary>Whether guests are realms managed by a TMM (every configuration but the baseline).</summary>
    public static bool HasTmm(this PlatformConfiguration c) => c is PlatformConfiguration.VirtccaSel2 or PlatformConfiguration.VirtccaEl3;

    /// <summary>Where the guest runs: a realm at S-EL1, a normal VM at NS-EL1.</summary>
    public static PeLevel GuestLevel(this PlatformConfiguration c) => c.HasTmm() ? PeLevel.SEl1 : PeLevel.NsEl1;
}

/// <summary>
/// The register state one world leaves behind when EL3 switches worlds: the 31 general-purpose
/// registers plus the EL2 return state. System registers beyond these are counted in the swap's
/// cost but not modelled, since nothing in the simulation reads them.
/// </summary>
public sealed class CpuContext
{
    public readonly ulong[] X = new ulong[31];
    public ulong Sp, Elr, Spsr;

    public void CopyTo(CpuContext other)
    {
        X.AsSpan().CopyTo(other.X);
        other.Sp = Sp; other.Elr = Elr; other.Spsr = Spsr;
    }
}
