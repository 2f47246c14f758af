using VirtCca.Launcher.Composition;
using System.Globalization;
using Akka.Configuration;
using HoconConfig = Akka.Configuration.Config;
using Akka.Configuration.Hocon;
using VirtCca.Cores.Workloads;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// Reads a workload program from HOCON: a list of objects, each with <c>op</c> and its fields, e.g.
/// <code>
/// program = [
///   { op = compute, cycles = 20000, tlb-misses-per-1000-cycles = 2 }
///   { op = loop, count = 100, body = [ { op = hypercall }, { op = send-ipi, target = 1 } ] }
///   { op = touch, address = "0x80000000", bytes = 64, write = true }
/// ]
/// </code>
/// Ops: compute, touch, mmio (address, write, in-kernel), hypercall (function), rsi-call (fid, args: up to 5 values),
/// send-ipi (target, intid), psci-cpu-on (target), psci-cpu-off, psci-affinity-info (target), ipa-state-set (base, top, ripas = ram | empty), system-off, wfi, arm-timer (ticks), wait-interrupt, loop (count, body).
/// Addresses and function ids may be numbers or "0x…" strings. Errors name the path.
/// </summary>
public static class WorkloadReader
{
    public static IReadOnlyList<Op> Read(HoconConfig config, string path = "program")
    {
        if (!config.HasPath(path)) throw new ArgumentException($"{path}: missing (a list of operations)");
        return ReadList(config.GetValue(path), path);
    }

    /// <summary>A list of programs (one per vCPU) at <paramref name="path"/>; empty when the list is.</summary>
    public static IReadOnlyList<IReadOnlyList<Op>> ReadMany(HoconConfig config, string path)
    {
        if (!config.HasPath(path)) throw new ArgumentException($"{path}: missing (a list of programs)");
        var value = config.GetValue(path);
        // Akka's HOCON reads `[]` as an array that is not IsArray(), and `[ ]` as one holding a valueless element.
        if (value.Values.OfType<HoconArray>().FirstOrDefault() is { } list && list.All(e => e.Values.Count == 0)) return [];
        if (!value.IsArray()) throw new ArgumentException($"{path}: expected a list of programs, one per vCPU");
        return value.GetArray().Select((program, i) => (IReadOnlyList<Op>)ReadList(program, $"{path}[{i}]")).ToList();
    }

    private static List<Op> ReadList(HoconValue value, string path)
    {
        if (!value.IsArray()) throw new ArgumentException($"{path}: expected a list of operations");
        var ops = new List<Op>();
        int i = 0;
        foreach (var item in value.GetArray()) ops.Add(ReadOp(item, $"{path}[{i++}]"));
        return ops;
    }

    private static Op ReadOp(HoconValue value, string path)
    {
        if (!value.IsObject()) throw new ArgumentException($"{path}: expected an object like {{ op = compute, cycles = 1000 }}");
        var c = new HoconConfig(new HoconRoot(value));
        string op = c.GetString("op") ?? throw new ArgumentException($"{path}: missing 'op'");
        return op switch
        {
            "compute" => new Compute(Long(c, "cycles", path), (int)Long(c, "tlb-misses-per-1000-cycles", path, 0)),
            "touch" => new Touch(Address(c, "address", path), (int)Long(c, "bytes", path, 64), c.GetBoolean("write", false)),
            "mmio" => new Mmio(Address(c, "address", path), c.GetBoolean("write", false), c.GetBoolean("in-kernel", true)),
            "hypercall" => new Hypercall(c.HasPath("function") ? Address(c, "function", path) : 0),
            "rsi-call" => new RsiCall(Address(c, "fid", path), Arguments(c, path)),
            "send-ipi" => new SendIpi((int)Long(c, "target", path), (int)Long(c, "intid", path, 1)),
            "psci-cpu-on" => new PsciCpuOn((int)Long(c, "target", path)),
            "ipa-state-set" => new IpaStateSet(Address(c, "base", path), Address(c, "top", path), Ripas(c, path)),
            "system-off" => new SystemOff(),
            "psci-cpu-off" => new PsciCpuOff(),
            "psci-affinity-info" => new PsciAffinityInfo((int)Long(c, "target", path)),
            "wfi" => new Wfi(),
            "arm-timer" => new ArmTimer(Long(c, "ticks", path)),
            "wait-interrupt" => new WaitInterrupt(),
            "loop" => new Loop((int)Long(c, "count", path),
                c.HasPath("body") ? ReadList(c.GetValue("body"), path + ".body") : throw new ArgumentException($"{path}: a loop needs a 'body'")),
            _ => throw new ArgumentException(
                $"{path}: unknown op '{op}' (compute, touch, mmio, hypercall, rsi-call, send-ipi, psci-cpu-on, psci-cpu-off, psci-affinity-info, ipa-state-set, system-off, wfi, arm-timer, wait-interrupt, loop)"),
        };
    }

    private static ulong[] Arguments(HoconConfig c, string path)
    {
        if (!c.HasPath("args")) return [];
        var list = c.GetValue("args");
        if (!list.IsArray()) throw new ArgumentException($"{path}.args: expected a list of up to 5 values");
        var values = list.GetArray().Select((v, i) => ParseAddress(v.GetString(), $"{path}.args[{i}]")).ToArray();
        return values.Length <= 5 ? values : throw new ArgumentException($"{path}.args: {values.Length} values; an SMC carries 5 (X1..X5)");
    }

    private static bool Ripas(HoconConfig c, string path) => c.GetString("ripas") switch
    {
        "ram" => true,
        "empty" => false,
        var other => throw new ArgumentException($"{path}.ripas: '{other}' is not ram or empty"),
    };

    private static long Long(HoconConfig c, string key, string path, long? fallback = null)
    {
        if (!c.HasPath(key)) return fallback ?? throw new ArgumentException($"{path}: missing '{key}'");
        long v = c.GetLong(key);
        if (v < 0) throw new ArgumentException($"{path}.{key}: {v} must not be negative");
        return v;
    }

    private static ulong Address(HoconConfig c, string key, string path)
    {
        if (!c.HasPath(key)) throw new ArgumentException($"{path}: missing '{key}'");
        return ParseAddress(c.GetString(key), $"{path}.{key}");
    }

    private static ulong ParseAddress(string text, string where)
    {
        string s = text.Replace("_", "");
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        return ok ? v : throw new ArgumentException($"{where}: '{s}' is not an address (a number or \"0x…\")");
    }
}
