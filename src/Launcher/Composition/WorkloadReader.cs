using Akka.Configuration.Hocon;
using VirtCca.Cores.Workloads;
using VirtCca.Launcher.Config;
using HoconConfig = Akka.Configuration.Config;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// Reads a workload program from HOCON: a list of objects, each with <c>op</c> and its fields, e.g.
/// <code>
/// program = [
///   { op = compute, time = 10 us, tlb-misses-per-1000-cycles = 2 }
///   { op = loop, count = 100, body = [ { op = hypercall }, { op = send-ipi, target = next } ] }
///   { op = touch, address = "0x80000000", bytes = 64, write = true }
/// ]
/// </code>
/// <see cref="Operations"/> is the one list of operations and their fields (reference.conf and the
/// README list the same, which a test checks). A field an operation does not take is an error with
/// a suggestion; every error names the path of the value.
/// </summary>
public static class WorkloadReader
{
    private delegate OpTemplate Reader(Fields f, long? frequencyHz);

    private sealed record OpKind(string Name, Type Type, string[] Fields, Reader Read);

    private static readonly string[] BlockFields = ["device", "bytes", "requests", "depth", "pattern", "span"];

    private static readonly OpKind[] Kinds =
    [
        new("compute", typeof(Compute), ["cycles", "time", "tlb-misses-per-1000-cycles"], (f, hz) => Fixed(new Compute(Cycles(f, hz), MissRate(f)))),
        new("map", typeof(MapPages), ["pages", "unmap", "batch"], (f, _) => Fixed(new MapPages(f.Int("pages"), f.Bool("unmap", false), f.Has("batch") ? f.Int("batch", null, 1) : 1))),
        new("touch", typeof(Touch), ["address", "bytes", "write"], (f, _) => Fixed(new Touch(f.Address("address"), f.Int("bytes", 64), f.Bool("write", false)))),
        new("mmio", typeof(Mmio), ["address", "write", "in-kernel"], (f, _) => Fixed(new Mmio(f.Address("address"), f.Bool("write", false), f.Bool("in-kernel", true)))),
        new("hypercall", typeof(Hypercall), ["function"], (f, _) => Fixed(new Hypercall(f.Has("function") ? f.Address("function") : 0))),
        new("rsi-call", typeof(RsiCall), ["fid", "args"], (f, _) => Fixed(new RsiCall(f.Address("fid"), Arguments(f)))),
        new("send-ipi", typeof(SendIpi), ["target", "intid"], (f, _) => { int intid = f.Int("intid", 1); return Target(f, t => new SendIpi(t, intid)); }),
        new("psci-cpu-on", typeof(PsciCpuOn), ["target"], (f, _) => Target(f, t => new PsciCpuOn(t))),
        new("psci-cpu-off", typeof(PsciCpuOff), [], (_, _) => Fixed(new PsciCpuOff())),
        new("psci-affinity-info", typeof(PsciAffinityInfo), ["target"], (f, _) => Target(f, t => new PsciAffinityInfo(t))),
        new("ipa-state-set", typeof(IpaStateSet), ["base", "top", "ripas"], (f, _) => Fixed(new IpaStateSet(f.Address("base"), f.Address("top"), f.OneOf("ripas", null, "ram", "empty") == "ram"))),
        new("system-off", typeof(SystemOff), [], (_, _) => Fixed(new SystemOff())),
        new("system-reset", typeof(SystemReset), [], (_, _) => Fixed(new SystemReset())),
        new("psci-cpu-suspend", typeof(PsciCpuSuspend), [], (_, _) => Fixed(new PsciCpuSuspend())),
        new("wfi", typeof(Wfi), [], (_, _) => Fixed(new Wfi())),
        new("arm-timer", typeof(ArmTimer), ["ticks"], (f, _) => Fixed(new ArmTimer(f.Long("ticks")))),
        new("wait-interrupt", typeof(WaitInterrupt), [], (_, _) => Fixed(new WaitInterrupt())),
        new("block-read", typeof(BlockIo), BlockFields, (f, _) => Fixed(Block(f, write: false))),
        new("block-write", typeof(BlockIo), BlockFields, (f, _) => Fixed(Block(f, write: true))),
        new("net-send", typeof(NetSend), ["device", "to", "bytes", "count"], (f, _) => Fixed(new NetSend(Device(f), f.Raw("to"), f.Int("bytes", 64, 0, 65_535 - 14), f.Long("count", 1, 1)))),
        new("net-receive", typeof(NetReceive), ["device", "count"], (f, _) => Fixed(new NetReceive(Device(f), f.Long("count", 1, 1)))),
        new("serve", typeof(Serve), ["device", "requests", "cycles", "time", "tlb-misses-per-1000-cycles"],
            (f, hz) => Fixed(new Serve(Device(f), Cycles(f, hz), f.Long("requests", 0), f.Int("tlb-misses-per-1000-cycles", 0)))),
        new("loop", typeof(Loop), ["count", "body", "requests"], (f, hz) => new OpTemplate.Repeat(f.Int("count"),
            ReadTemplate(f.Value("body") ?? throw f.Error("body", "missing (a loop needs a list of operations)"), f.At("body"), hz), f.Bool("requests", false))),
    ];

    /// <summary>block-read / block-write: <c>bytes</c> per request (a multiple of 512), <c>requests</c>, <c>depth</c> in flight, <c>pattern</c> random (within <c>span</c>) or sequential.</summary>
    private static BlockIo Block(Fields f, bool write)
    {
        int bytes = f.Int("bytes", 4096, 512, 1 << 20);
        if (bytes % 512 != 0) throw f.Error("bytes", $"{bytes} is not a whole number of 512-byte sectors");
        long span = f.Has("span") ? f.Bytes("span") : 64L << 20;
        if (span < bytes) throw f.Error("span", $"{span} bytes is less than one request of {bytes}");
        return new BlockIo(Device(f), write, bytes, f.Long("requests", 1, 1), f.Int("depth", 1, 1, 1024), f.OneOf("pattern", "random", "random", "sequential") == "sequential", span);
    }

    private static string? Device(Fields f) => f.Has("device") ? f.Raw("device") : null;

    /// <summary>Every operation a program may use, with the fields it takes (besides <c>op</c>).</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<string> Fields)> Operations { get; } =
        Kinds.Select(k => (k.Name, (IReadOnlyList<string>)k.Fields)).ToArray();

    private static readonly string[] Names = Kinds.Select(k => k.Name).ToArray();

    /// <summary>The name a program gives this operation (e.g. "send-ipi").</summary>
    public static string NameOf(Op op) => op is BlockIo { Write: true } ? "block-write" : Kinds.First(k => k.Type == op.GetType()).Name;

    /// <summary>Reads the program at <paramref name="path"/> of a config on its own (no guest: relative targets are refused, numbers unchecked).</summary>
    public static IReadOnlyList<Op> Read(HoconConfig config, string path = "program", long? frequencyHz = null)
    {
        if (!config.HasPath(path)) throw new ConfigPathException(path, "missing (a list of operations)");
        return ReadTemplate(config.GetValue(path), path, frequencyHz).For(0, null);
    }

    /// <summary>A program (a list of operations) at <paramref name="path"/>; <paramref name="frequencyHz"/> turns compute times into cycles.</summary>
    public static ProgramTemplate ReadTemplate(HoconValue value, string path, long? frequencyHz)
    {
        if (!Hocon.IsList(value)) throw new ConfigPathException(path, "expected a list of operations, e.g. [ { op = compute, cycles = 1000 } ]");
        return new ProgramTemplate(Hocon.Elements(value).Select((item, i) => ReadOp(item, ConfigPath.Index(path, i), frequencyHz)).ToArray());
    }

    private static OpTemplate ReadOp(HoconValue value, string path, long? frequencyHz)
    {
        if (!value.IsObject()) throw new ConfigPathException(path, "expected an object like { op = compute, cycles = 1000 }");
        var opPath = ConfigPath.Key(path, "op");
        if (!value.GetObject().Items.TryGetValue("op", out var opValue) || Hocon.IsNull(opValue))
            throw new ConfigPathException(opPath, $"missing: which operation ({string.Join(", ", Names)})");
        var name = opValue.GetString()?.Trim() ?? "";
        var kind = Kinds.FirstOrDefault(k => k.Name == name)
            ?? throw new ConfigPathException(opPath, $"unknown op '{name}' {DidYouMean.Suggest(name, Names)}");
        foreach (var key in value.GetObject().Items.Keys)
            if (key != "op" && !kind.Fields.Contains(key))
                throw new ConfigPathException(ConfigPath.Key(path, key), DidYouMean.Unknown(key, kind.Fields, $"field of {name}"));
        return kind.Read(new Fields(value, path, ["op", .. kind.Fields], $"field of {name}"), frequencyHz);
    }

    private static OpTemplate Fixed(Op op) => new OpTemplate.Fixed(op);

    private static OpTemplate Target(Fields f, Func<int, Op> make) =>
        new OpTemplate.Targeted(VcpuTarget.Parse(f.Raw("target"), f.At("target")), f.At("target"), make);

    /// <summary>
    /// <c>cycles = N</c>, or <c>time = 20 us</c> at the platform's frequency: cycles = time × f rounded to
    /// the nearest whole cycle, halves up (exact integer arithmetic; 20 us at 2.6 GHz is 52,000 cycles,
    /// 1 ns is 2.6 → 3).
    /// </summary>
    private static long Cycles(Fields f, long? frequencyHz)
    {
        bool cycles = f.Has("cycles"), time = f.Has("time");
        if (cycles && time) throw f.Error("time", "give cycles or time, not both");
        if (cycles) return f.Long("cycles");
        if (!time) throw f.Error("cycles", "missing (give cycles = N, or time = 20 us)");
        if (frequencyHz is not { } hz) throw f.Error("time", "a time needs the platform's frequency (platform.frequency-hz); give cycles here");
        var ps = f.Time("time", positive: false).Picoseconds;
        var c = ((Int128)ps * hz + 500_000_000_000) / 1_000_000_000_000;
        return c <= long.MaxValue ? (long)c : throw f.Error("time", "too long");
    }

    /// <summary>tlb-misses-per-1000-cycles: a decimal ≥ 0 (an expected rate: 0.4 means 4 misses in 10,000 cycles).</summary>
    private static decimal MissRate(Fields f)
    {
        if (!f.Has("tlb-misses-per-1000-cycles")) return 0;
        var raw = f.Raw("tlb-misses-per-1000-cycles");
        return decimal.TryParse(raw, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var d) && d <= 1000
            ? d : throw f.Error("tlb-misses-per-1000-cycles", $"'{raw}' is not a rate between 0 and 1000");
    }

    private static ulong[] Arguments(Fields f)
    {
        if (f.Value("args") is not { } list) return [];
        if (!Hocon.IsList(list)) throw f.Error("args", "expected a list of up to 5 values");
        var values = Hocon.Elements(list).Select((v, i) => Scalars.Address(v.GetString() ?? "", out var a) is { } problem
            ? throw new ConfigPathException(ConfigPath.Index(f.At("args"), i), problem) : a).ToArray();
        return values.Length <= 5 ? values : throw f.Error("args", $"{values.Length} values; an SMC carries 5 (X1..X5)");
    }
}
