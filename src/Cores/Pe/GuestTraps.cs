using Google.Protobuf;
using VirtCca.Cores.Vcpu;
using VirtCca.Cores.Workloads;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>
/// What a trapping guest operation is at the instruction level: the registers the guest sets and the
/// exception it raises. A normal VM's goes to EL2 as a syndrome (ESR_EL2) that KVM decodes; a realm's
/// goes to the TMM as an SMC or a trap.
/// </summary>
public static class GuestTraps
{
    /// <summary>ESR_EL2 exception classes of an HVC and an SMC from AArch64.</summary>
    public const ulong EcHvc64 = 0x16UL << Esr.EcShift, EcSmc64 = 0x17UL << Esr.EcShift;

    /// <summary>ESR_EL2.ISS of an MSR ICC_SGI1R_EL1 from X0 (Op0 3, Op1 0, CRn 12, CRm 11, Op2 5, Rt 0, write).</summary>
    public const ulong MsrIccSgi1rIss = VcpuSgi.MsrIss;

    public static ulong DataAbortEsr(int size, bool write) =>
        Esr.EcDataAbortLower | Esr.Il | Esr.Isv | Esr.Sas(size) | (size == 8 ? Esr.Sf : 0) | (write ? Esr.WnR : 0) | Esr.DfscTranslationL3;

    /// <summary>A normal VM's operation: sets X0.. in its context and returns the syndrome of its trap.</summary>
    public static (ulong Esr, ulong Far) ToVm(Op op, VcpuActor v)
    {
        var x = v.Context.X;
        switch (op)
        {
            case Hypercall h: x[0] = h.Function; return (EcHvc64 | Esr.Il, 0);
            case RsiCall r: Args(x, r.Fid, r.Args); return (EcSmc64 | Esr.Il, 0);
            case IpaStateSet i: Args(x, RsiFid.IpaStateSet, [i.Base, i.Top, i.Ram ? 1UL : 0UL]); return (EcSmc64 | Esr.Il, 0);
            case SendIpi s: x[0] = VcpuSgi.Encode(s.TargetVcpu, s.Intid); return (Esr.EcSysReg | Esr.Il | MsrIccSgi1rIss, 0);
            case Wfi or WaitInterrupt: return (Esr.EcWfx | Esr.Il, 0);
        }
        if (PsciCall(op) is { } psci) { Args(x, psci.Fid, psci.Args); return (EcHvc64 | Esr.Il, 0); } // PSCI over HVC, as KVM's guests call it
        throw new InvalidOperationException($"vCPU {v.Identity}: operation {op} cannot trap");
    }

    /// <summary>A realm's operation: an RSI or PSCI SMC (to the TMM), or a trap the TMM takes first.</summary>
    public static IMessage ToRealm(Op op, VcpuActor v, ulong rec, RealmCpu cpu)
    {
        SmcRequest Smc(ulong fid, params ulong[] args) =>
            new() { Fid = fid, X1 = Arg(args, 0), X2 = Arg(args, 1), X3 = Arg(args, 2), X4 = Arg(args, 3), X5 = Arg(args, 4), World = World.Secure, Rec = rec, Cpu = cpu };
        switch (op)
        {
            case RsiCall r: return Smc(r.Fid, r.Args);
            case Hypercall: return Smc(RsiFid.HostCall, v.Layout.HostCallIpa); // HVC is undefined in a realm: its paravirtual call is RSI_HOST_CALL
            case IpaStateSet i: return Smc(RsiFid.IpaStateSet, i.Base, i.Top, i.Ram ? 1UL : 0UL);
            case SendIpi s: return new RealmTrap { Rec = rec, Kind = TrapKind.TrapSysregWrite, Iss = MsrIccSgi1rIss, Value = VcpuSgi.Encode(s.TargetVcpu, s.Intid), Cpu = cpu };
            case Wfi or WaitInterrupt: return new RealmTrap { Rec = rec, Kind = TrapKind.TrapWfi, Cpu = cpu };
        }
        if (PsciCall(op) is { } psci) return Smc(psci.Fid, psci.Args);
        throw new InvalidOperationException($"vCPU {v.Identity}: operation {op} cannot run in a realm");
    }

    /// <summary>The PSCI call an operation makes (entry point and context 0: the secondary's boot path is the guest's business).</summary>
    private static (ulong Fid, ulong[] Args)? PsciCall(Op op) => op switch
    {
        PsciCpuOn p => (Psci.CpuOn, [Mpidr.Of(p.TargetVcpu), 0, 0]),
        PsciCpuOff => (Psci.CpuOff, []),
        PsciAffinityInfo a => (Psci.AffinityInfo, [Mpidr.Of(a.TargetVcpu), 0]),
        PsciCpuSuspend => (Psci.CpuSuspend, [0, 0, 0]),
        SystemOff => (Psci.SystemOff, []),
        SystemReset => (Psci.SystemReset, []),
        _ => null,
    };

    private static void Args(ulong[] x, ulong fid, ulong[] args)
    {
        x[0] = fid;
        for (int i = 0; i < 5; i++) x[i + 1] = Arg(args, i);
    }

    private static ulong Arg(ulong[] args, int i) => i < args.Length ? args[i] : 0;
}

/// <summary>What a guest's store writes: each 8-byte word holds its own IPA, so a page shows where its bytes came from.</summary>
public static class GuestData
{
    public static ulong Word(ulong ipa) => ipa & ~7UL;

    public static byte[] Pattern(ulong ipa, int bytes)
    {
        var data = new byte[bytes];
        for (int i = 0; i < bytes; i++) data[i] = (byte)(Word(ipa + (ulong)i) >> (int)(8 * ((ipa + (ulong)i) & 7)));
        return data;
    }
}
