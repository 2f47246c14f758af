using VirtCca.Cores.Workloads;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// A program as read from HOCON, before a vCPU is known: operations whose target is relative to the
/// running vCPU are resolved by <see cref="For"/>. A program without such targets yields one shared
/// list for every vCPU, so a large guest running the same program holds it once.
/// </summary>
public sealed class ProgramTemplate
{
    private readonly IReadOnlyList<OpTemplate> _ops;
    private (int? Vcpus, IReadOnlyList<Op> Program)? _shared;

    public ProgramTemplate(IReadOnlyList<OpTemplate> ops) => (_ops, PerVcpu) = (ops, ops.Any(o => o.PerVcpu));

    /// <summary>True when the program differs from one vCPU to the next (it names vCPUs relative to itself).</summary>
    public bool PerVcpu { get; }

    /// <summary>The program of vCPU <paramref name="vcpu"/> in a guest of <paramref name="vcpus"/> vCPUs (null: outside a guest); every target checked.</summary>
    public IReadOnlyList<Op> For(int vcpu, int? vcpus)
    {
        if (PerVcpu) return Instantiate(vcpu, vcpus);
        if (_shared is { } s && s.Vcpus == vcpus) return s.Program;
        var program = Instantiate(vcpu, vcpus);
        _shared = (vcpus, program);
        return program;
    }

    private Op[] Instantiate(int vcpu, int? vcpus) => _ops.Select(o => o.For(vcpu, vcpus)).ToArray();
}

/// <summary>One operation as read, before a vCPU is known.</summary>
public abstract class OpTemplate
{
    public abstract bool PerVcpu { get; }
    public abstract Op For(int vcpu, int? vcpus);

    /// <summary>An operation that is the same on every vCPU.</summary>
    public sealed class Fixed(Op op) : OpTemplate
    {
        public override bool PerVcpu => false;
        public override Op For(int vcpu, int? vcpus) => op;
    }

    /// <summary>An operation naming a vCPU (checked against the guest; relative targets resolved per vCPU).</summary>
    public sealed class Targeted(VcpuTarget target, string targetPath, Func<int, Op> make) : OpTemplate
    {
        public override bool PerVcpu => target.IsRelative;
        public override Op For(int vcpu, int? vcpus) => make(target.Resolve(vcpu, vcpus, targetPath));
    }

    public sealed class Repeat(int count, ProgramTemplate body, bool requests = false) : OpTemplate
    {
        public override bool PerVcpu => body.PerVcpu;
        public override Op For(int vcpu, int? vcpus) => new Loop(count, body.For(vcpu, vcpus), requests);
    }
}
