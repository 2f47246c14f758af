using VirtCca.Cores.Vcpu;
using VirtCca.Kvm.Realms;

namespace VirtCca.Kvm.Guests;

/// <summary>
/// What KVM knows of one guest (its struct kvm): name, kind, where each vCPU's thread runs, its memory,
/// its MMIO bus, its VMM, and for a realm the RD and each vCPU's REC and run page. The tables are fixed
/// when the machine is built; the mutable parts (the VM's stage 2, the metadata allocator, the vCPUs'
/// power states) are touched only by host code of this guest, which runs on the guest's own CPUs.
/// </summary>
public sealed class KvmGuest
{
    public KvmGuest(int id, string name, bool isRealm, int vcpus, GuestMemory memory, RealmShape shape, bool psciBoot)
    {
        Id = id; Name = name; IsRealm = isRealm; Memory = memory; Shape = shape; PsciBoot = psciBoot;
        VcpuComponent = new int[vcpus];
        PeOfVcpu = new int[vcpus];
        CpuOfVcpu = new int[vcpus];
        Vcpus = new Vcpus.KvmVcpu?[vcpus];
        Stage2 = isRealm ? null : new Stage2Table(memory);
    }

    public int Id { get; }
    /// <summary>How KVM drives the TMM for this guest's realm: RMI v1.0 or virtCCA's TMI.</summary>
    public Tmm.Abi.HostAbi Abi { get; init; } = Tmm.Abi.HostAbi.Rmi;
    public string Name { get; }
    public bool IsRealm { get; }
    public int VcpuCount => VcpuComponent.Length;
    public RealmShape Shape { get; }
    public bool PsciBoot { get; }
    public GuestMemory Memory { get; }
    public IoBus Io { get; } = new();
    /// <summary>KVM's stage 2 of a normal VM (a realm's belongs to the TMM).</summary>
    public Stage2Table? Stage2 { get; }

    /// <summary>Component ids of the vCPUs, of the PE each runs on, and that PE's GIC CPU index.</summary>
    public int[] VcpuComponent { get; }
    public int[] PeOfVcpu { get; }
    public int[] CpuOfVcpu { get; }
    /// <summary>The guest's VMM component (creation, power-off, reset), or -1.</summary>
    public int Vmm { get; set; } = -1;

    /// <summary>KVM's vCPU structures, filled in as each CPU's host starts.</summary>
    public Vcpus.KvmVcpu?[] Vcpus { get; }

    /// <summary>What KVM gave the realm (granules, RTTs, pages), for its teardown.</summary>
    public RealmBook Book { get; } = new();

    /// <summary>The realm KVM created (RD, RECs, run pages), once the VMM has laid it out; null for a normal VM.</summary>
    public RealmLayout? Realm { get; set; }

    /// <summary>The realm's unprotected-IPA bit: device addresses carry it, because a realm maps MMIO as shared memory.</summary>
    public ulong UnprotectedIpaBit => IsRealm ? Shape.UnprotectedIpaBit : 0;

    /// <summary>Every RMI or TMI call KVM made for this guest, by the phase of its life and function id.</summary>
    public IReadOnlyDictionary<(Cores.Host.HostPhase Phase, ulong Fid), long> CallCounts => _calls;
    private readonly SortedDictionary<(Cores.Host.HostPhase, ulong), long> _calls = new();
    public void CountCall(Cores.Host.HostPhase phase, ulong fid) => _calls[(phase, fid)] = _calls.GetValueOrDefault((phase, fid)) + 1;

    /// <summary>RMI calls KVM made for the last creation and destruction of the realm.</summary>
    public int CreationCalls { get; set; }
    public int DestructionCalls { get; set; }

    public override string ToString() => Name;
}
