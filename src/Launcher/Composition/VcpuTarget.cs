using System.Globalization;
using System.Text.RegularExpressions;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// The vCPU an operation names (send-ipi, psci-cpu-on, psci-affinity-info): a number, or relative to
/// the vCPU running the program — <c>next</c> (vcpu + 1 mod vcpus), <c>previous</c> (vcpu - 1 mod
/// vcpus), or <c>vcpu [+|- k] [mod n|vcpus]</c>. Resolved per vCPU, so one program serves a ring of
/// any size; the result must be one of the guest's vCPUs.
/// </summary>
public sealed partial record VcpuTarget(string Text, int? Fixed, int Offset, int? Modulus, bool ModVcpus)
{
    public bool IsRelative => Fixed == null;

    public static VcpuTarget Parse(string text, string path)
    {
        var s = text.Trim();
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) return new(s, n, 0, null, false);
        if (s == "next") return new(s, null, 1, null, true);
        if (s == "previous") return new(s, null, -1, null, true);
        var m = Relative().Match(s);
        if (!m.Success)
            throw new ConfigPathException(path, $"'{s}' is not a vCPU: a number, next, previous, or \"vcpu + k mod n\"");
        int offset = m.Groups["k"].Success ? int.Parse(m.Groups["k"].Value, CultureInfo.InvariantCulture) * (m.Groups["sign"].Value == "-" ? -1 : 1) : 0;
        var mod = m.Groups["mod"];
        if (!mod.Success) return new(s, null, offset, null, false);
        if (mod.Value == "vcpus") return new(s, null, offset, null, true);
        int modulus = int.Parse(mod.Value, CultureInfo.InvariantCulture);
        return modulus > 0 ? new(s, null, offset, modulus, false) : throw new ConfigPathException(path, $"'{s}': mod 0");
    }

    /// <summary>The vCPU this names for <paramref name="vcpu"/> of a guest with <paramref name="vcpus"/> vCPUs (null: not in a guest, nothing to check against).</summary>
    public int Resolve(int vcpu, int? vcpus, string path)
    {
        if (Fixed is { } f)
            return vcpus is not { } count || f < count ? f
                : throw new ConfigPathException(path, $"vCPU {f} does not exist: the guest has {count} vCPU{(count == 1 ? "" : "s")} ({Range(count)})");
        if (vcpus is not { } n) throw new ConfigPathException(path, $"'{Text}' is relative to the vCPU that runs it: only in a guest's program");
        long v = (long)vcpu + Offset;
        int? modulus = ModVcpus ? n : Modulus;
        if (modulus is { } mod) v = ((v % mod) + mod) % mod;
        if (v >= 0 && v < n) return (int)v;
        string hint = modulus == null ? $"; wrap it with 'mod {n}' or use next/previous" : "";
        throw new ConfigPathException(path, $"'{Text}' is vCPU {v} for vCPU {vcpu}, but the guest has {n} vCPU{(n == 1 ? "" : "s")} ({Range(n)}){hint}");
    }

    private static string Range(int n) => n == 1 ? "only 0" : $"0..{n - 1}";

    [GeneratedRegex(@"^vcpu\s*(?:(?<sign>[+-])\s*(?<k>\d{1,9}))?\s*(?:mod\s+(?<mod>\d{1,9}|vcpus))?$")]
    private static partial Regex Relative();
}
