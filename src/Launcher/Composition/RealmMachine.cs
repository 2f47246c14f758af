using VirtCca.Launcher.Composition;
using VirtCca.Cores.Platform;
using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.Tmm;
using VirtCca.Tmm.Actor;
using VirtCca.Tmm.Abi;
using VirtCca.Kvm.Realms;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// A machine running one realm end to end through the ABI: the real TMM (<see cref="TmmActor"/> over
/// an <see cref="Rmm"/>), KVM's <see cref="RealmLauncher"/> creating the realm with RMI calls from PE 0,
/// and each vCPU entering its REC once the realm is active (with <c>psciBoot</c>, vCPU 0 only; the
/// guest starts the others with PSCI CPU_ON, which KVM completes with RMI_PSCI_COMPLETE).
/// </summary>
public static class RealmMachine
{
    public static Machine Create(PlatformSettings platform, PlatformConfiguration configuration, IReadOnlyList<IReadOnlyList<Op>> programs,
        RealmShape? shape = null, RmmConfig? rmm = null, int? pes = null, IReadOnlyList<Func<Machine, Component>>? devices = null,
        bool psciBoot = false)
    {
        if (!configuration.HasTmm()) throw new ArgumentException($"{configuration.Name()} runs no realm; use a plain Machine");
        var rmmConfig = rmm ?? new RmmConfig();
        var plan = new RealmPlan((shape ?? new RealmShape()) with
        {
            Vcpus = programs.Count, HostMemoryBase = rmmConfig.DramBase, RecAuxCount = rmmConfig.RecAuxCount, SecondariesRunnable = !psciBoot,
        });
        var costs = Costs(platform);
        // Boot firmware puts the TMM's secure pool behind a secure-only TZASC region (README: delegation without a GPT).
        var pool = (rmmConfig.SecurePoolBase, rmmConfig.SecurePoolBase + (ulong)rmmConfig.SecurePoolGranules * 0x1000);
        return new Machine(platform, configuration, programs, () => new TmmActor(new Rmm(rmmConfig), costs), pes,
            realm: new RealmHost(plan.Vcpus, m => new RealmLauncher(plan, m.PeIds[0], m.PeIds.Take(psciBoot ? 1 : programs.Count).ToArray())),
            devices: devices, secureRegions: [pool], psciBoot: psciBoot);
    }

    /// <summary>The TMM's costs from the platform profile (the same numbers the PE's flows expect).</summary>
    public static TmmCosts Costs(PlatformSettings p) => new()
    {
        FrequencyHz = p.FrequencyHz,
        CommandBaseCycles = p.WorldSwitch.TmmCommandBase,
        EntryMarshalCycles = p.WorldSwitch.TmmEntryMarshal,
        ExitMarshalCycles = p.WorldSwitch.TmmExitMarshal,
        ExtraCycles = new Dictionary<ulong, long>
        {
            [RmiFid.DataCreate] = p.TmmDataCreate4kCycles - p.WorldSwitch.TmmCommandBase,
            [RmiFid.RttCreate] = p.TmmTableLevelCycles,
            [RmiFid.RttDestroy] = p.TmmTableLevelCycles,
            [RmiFid.RttFold] = p.TmmTableLevelCycles,
        },
    };
}
