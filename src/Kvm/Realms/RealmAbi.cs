using VirtCca.Cores.Host;
using VirtCca.Kvm.Guests;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Realms;

/// <summary>
/// Where KVM's realm code differs between Arm's RMI and virtCCA's TMI: the creation and destruction
/// sequences, the run page's layout, the call that enters a vCPU and the one that completes a PSCI
/// request, and how entering a powered-off realm is refused. Everything else — the run loop, the exit
/// handlers, the vGIC — is the same code for both.
/// </summary>
public static class RealmAbi
{
    public static IEnumerable<HostOp> Create(IHostCpu cpu, KvmGuest g) =>
        g.Abi == HostAbi.Tmi ? TmiLifecycle.Create(cpu, g) : RealmLifecycle.Create(cpu, g);

    public static IEnumerable<HostOp> Destroy(IHostCpu cpu, KvmGuest g) =>
        g.Abi == HostAbi.Tmi ? TmiLifecycle.Destroy(cpu, g) : RealmLifecycle.Destroy(cpu, g);

    /// <summary>REC_ENTER, or TMI_TEC_ENTER.</summary>
    public static ulong EnterFid(HostAbi abi) => abi == HostAbi.Tmi ? TmiFid.TecEnter : RmiFid.RecEnter;

    /// <summary>The entry half into the run page: RmiRecRun's, or tmi_tec_run's.</summary>
    public static void WriteEntry(HostAbi abi, PhysicalMemory memory, ulong run, RecEntry entry)
    {
        if (abi == HostAbi.Tmi)
        {
            Span<byte> tec = stackalloc byte[TecRun.EntrySize];
            TecRun.WriteEntry(tec, entry);
            memory.Write(run, tec);
            return;
        }
        Span<byte> page = stackalloc byte[RecEntry.FieldsEnd];
        entry.Write(page);
        memory.Write(run, page);
    }

    /// <summary>
    /// The exit record the TMM left in the run page (<paramref name="buffer"/>: at least <see cref="RecExit.Size"/>
    /// bytes); RMI's is read into <paramref name="record"/>, reused from exit to exit.
    /// </summary>
    public static RecExit ReadExit(HostAbi abi, PhysicalMemory memory, ulong run, byte[] buffer, RecExit record)
    {
        if (abi == HostAbi.Tmi)
        {
            memory.Read(run + TecRun.ExitOffset, buffer.AsSpan(0, TecRun.ExitSize));
            return TecRun.ReadExit(buffer);
        }
        memory.Read(run + RecExit.Offset, buffer);
        record.ReadFrom(buffer);
        return record;
    }

    /// <summary>Entering a realm that is off: RMI_ERROR_REALM index 1 (SYSTEM_OFF), or TMI_ERROR_CVM_POWEROFF — the vCPU stops.</summary>
    public static bool PoweredOff(HostAbi abi, SmcResult status) => abi == HostAbi.Tmi
        ? (TmiStatus)(status.X0 & 0xFF) == TmiStatus.ErrorCvmPoweroff
        : status.Status == RmiStatus.ErrorRealm && status.Index == 1;

    /// <summary>RMI_PSCI_COMPLETE(calling, target, SUCCESS), or TMI_PSCI_COMPLETE(calling_tec, target_tec).</summary>
    public static SmcCall PsciComplete(HostAbi abi, ulong calling, ulong target) => abi == HostAbi.Tmi
        ? new SmcCall(TmiFid.PsciComplete, calling, target)
        : new SmcCall(RmiFid.PsciComplete, calling, target, Psci.Success);
}
