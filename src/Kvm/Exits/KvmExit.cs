namespace VirtCca.Kvm.Exits;

/// <summary>Why a guest left, as KVM dispatches on it (one switch, in <see cref="Host.ExitHandler"/>).</summary>
public enum ExitKind
{
    /// <summary>A normal VM's HVC that is not PSCI (<see cref="KvmExit.Function"/> = X0).</summary>
    Hypercall,
    /// <summary>A realm's RSI_HOST_CALL (<see cref="KvmExit.Imm"/>, arguments in the exit record's GPRs).</summary>
    HostCall,
    /// <summary>An emulatable data abort at <see cref="KvmExit.Address"/> (IPA): a device register access.</summary>
    Mmio,
    /// <summary>A write of ICC_SGI1R_EL1 (<see cref="KvmExit.Value"/>).</summary>
    SgiWrite,
    Wfi,
    /// <summary>A physical interrupt took the CPU back.</summary>
    Irq,
    /// <summary>A PSCI call (<see cref="KvmExit.Function"/>, arguments <see cref="KvmExit.Arg1"/>..<see cref="KvmExit.Arg3"/>).</summary>
    Psci,
    /// <summary>A realm asked for [<see cref="KvmExit.Address"/>, <see cref="KvmExit.Top"/>) to become RIPAS <see cref="KvmExit.Value"/>.</summary>
    RipasChange,
    /// <summary>A stage-2 fault at <see cref="KvmExit.Address"/> that is not a device access: RAM not backed yet.</summary>
    Stage2Fault,
    /// <summary>A normal VM's SMC (<see cref="KvmExit.Function"/>): no firmware behind it.</summary>
    Smc,
    SError,
}

/// <summary>One exit, decoded from the exit record (realm) or the hardware syndrome (normal VM).</summary>
public readonly record struct KvmExit(ExitKind Kind, ulong Address = 0, ulong Value = 0, int Size = 0, bool Write = false,
    ulong Function = 0, ulong Arg1 = 0, ulong Arg2 = 0, ulong Arg3 = 0, ulong Top = 0, ushort Imm = 0)
{
    public override string ToString() => Kind switch
    {
        ExitKind.Mmio => $"MMIO {(Write ? "write" : "read")} of {Size} bytes at IPA 0x{Address:X}",
        ExitKind.Stage2Fault => $"stage-2 fault at IPA 0x{Address:X}",
        ExitKind.Psci => $"PSCI 0x{Function:X}({Arg1:X}, {Arg2:X}, {Arg3:X})",
        ExitKind.RipasChange => $"RIPAS change [0x{Address:X}, 0x{Top:X}) to {Value}",
        _ => Kind.ToString(),
    };
}
