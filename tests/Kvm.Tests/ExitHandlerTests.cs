using VirtCca.Cores.Host;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Host;
using VirtCca.Kvm.Vcpus;
using VirtCca.Tmm.Abi;
using static VirtCca.Kvm.Tests.KvmUnits;

namespace VirtCca.Kvm.Tests;

/// <summary>KVM's exit handlers driven from decoded exits alone: what each costs, which RMI calls it makes, what the next entry carries.</summary>
public sealed class ExitHandlerTests
{
    private static IEnumerable<string> Smcs(DirectCpu cpu) => cpu.Log.Where(l => l.StartsWith("smc"));

    [Fact]
    public void A_null_exit_costs_kvms_part_of_the_round_trip_and_a_vms_hypercall_returns_zero()
    {
        var g = Guest(realm: false);
        g.Vcpus[0]!.Vcpu.Context.X[0] = 99;
        var cpu = Handle(g, new KvmExit(ExitKind.Hypercall, Function: 5));
        Assert.Equal([$"work {Costs.HvcRoundTrip - Costs.GuestTrap} KVM handles the exit"], cpu.Log);
        Assert.Equal(0UL, g.Vcpus[0]!.Vcpu.Context.X[0]);
        Assert.Equal(1, g.Vcpus[0]!.Exits[(int)ExitKind.Hypercall]);
    }

    [Fact]
    public void A_realms_mmio_read_is_completed_on_the_next_entry_by_emul_mmio_with_the_value()
    {
        var g = Guest(realm: true);
        g.Io.Register(0x0900_0000, 0x0900_1000, IoHandler.Kernel);
        var cpu = Handle(g, new KvmExit(ExitKind.Mmio, Address: 0x0900_0004 | g.UnprotectedIpaBit, Size: 4));
        Assert.Equal([$"work {Costs.MmioKernelRoundTrip - Costs.GuestTrap} KVM emulates the MMIO access"], cpu.Log);
        Assert.Equal(RecEntryFlags.EmulMmio, g.Vcpus[0]!.EntryFlags);
        Assert.Equal(0UL, g.Vcpus[0]!.EntryGprs[0]);
    }

    [Fact]
    public void A_vms_device_access_unknown_to_kvm_goes_to_the_vmm_and_its_pc_moves_on()
    {
        var g = Guest(realm: false, program: [new Mmio(0x0A00_0000, Write: true)]);
        var v = g.Vcpus[0]!;
        var cpu = Handle(g, new KvmExit(ExitKind.Mmio, Address: 0x0A00_0000, Size: 4, Write: true, Value: 1));
        Assert.Equal([$"work {Costs.MmioUserRoundTrip - Costs.GuestTrap} the VMM emulates the MMIO access"], cpu.Log);
        Assert.Equal(1, v.Vcpu.OpsRetired); // KVM moved the PC past the emulated instruction
    }

    [Fact]
    public void An_sgi_write_pends_the_sgi_on_each_target_and_kicks_a_cpu_that_is_not_this_one()
    {
        var g = Guest(realm: true, vcpus: 3);
        var cpu = Handle(g, new KvmExit(ExitKind.SgiWrite, Value: Cores.Vcpu.VcpuSgi.Encode(2, 5)));
        Assert.Equal([(12, KvmKinds.VirtualIrq, (long)102 << 16 | 5), (Gic, Devices.Gic.GicActor.KindSgi, 2L << 16 | KvmKinds.KickSgi)], cpu.Sent);
        Assert.Equal(1, g.Vcpus[0]!.IpisSent);
    }

    [Fact]
    public void Wfi_blocks_the_vcpu_unless_an_interrupt_is_already_pending()
    {
        var g = Guest(realm: true);
        Handle(g, new KvmExit(ExitKind.Wfi));
        Assert.True(g.Vcpus[0]!.Blocked);
        Assert.False(g.Vcpus[0]!.Runnable);
        var h = Guest(realm: true);
        h.Vcpus[0]!.Vgic.Pend(27);
        Handle(h, new KvmExit(ExitKind.Wfi));
        Assert.False(h.Vcpus[0]!.Blocked);
    }

    [Fact]
    public void A_realms_cpu_on_is_completed_with_psci_complete_then_the_target_started()
    {
        var g = Guest(realm: true);
        var cpu = Handle(g, new KvmExit(ExitKind.Psci, Function: Psci.CpuOn, Arg1: Mpidr.Of(1)));
        Assert.Equal([$"smc {RmiFid.PsciComplete:X} -> 0"], Smcs(cpu));
        Assert.Equal([(11, KvmKinds.StartVcpu, 101L)], cpu.Sent);
    }

    [Fact]
    public void A_refused_psci_complete_ends_the_run_naming_the_call_and_the_status()
    {
        var g = Guest(realm: true);
        var e = Assert.Throws<SimulationException>(() => Handle(g, new KvmExit(ExitKind.Psci, Function: Psci.AffinityInfo, Arg1: Mpidr.Of(1)),
            _ => SmcResult.Of(RmiStatus.ErrorInput)));
        Assert.Contains("RMI_PSCI_COMPLETE for AFFINITY_INFO of vCPU 1: status 0x1", e.Message);
    }

    [Theory]
    [InlineData(VcpuPower.On, Psci.AlreadyOn)]
    [InlineData(VcpuPower.NotStarted, Psci.Success)]
    public void A_vms_cpu_on_is_answered_by_kvm(VcpuPower target, ulong x0)
    {
        var g = Guest(realm: false);
        g.Vcpus[1]!.Power = target;
        var cpu = Handle(g, new KvmExit(ExitKind.Psci, Function: Psci.CpuOn, Arg1: Mpidr.Of(1)));
        Assert.Equal(x0, g.Vcpus[0]!.Vcpu.Context.X[0]);
        Assert.Equal(x0 == Psci.Success ? 1 : 0, cpu.Sent.Count);
        Assert.Equal(VcpuPower.On, g.Vcpus[1]!.Power);
    }

    [Theory]
    [InlineData(VcpuPower.On, Psci.AffinityOn)]
    [InlineData(VcpuPower.Off, Psci.AffinityOff)]
    public void A_vms_affinity_info_is_the_targets_power_state(VcpuPower target, ulong x0)
    {
        var g = Guest(realm: false);
        g.Vcpus[1]!.Power = target;
        Handle(g, new KvmExit(ExitKind.Psci, Function: Psci.AffinityInfo, Arg1: Mpidr.Of(1)));
        Assert.Equal(x0, g.Vcpus[0]!.Vcpu.Context.X[0]);
        Handle(g, new KvmExit(ExitKind.Psci, Function: Psci.AffinityInfo, Arg1: Mpidr.Of(7)));
        Assert.Equal(Psci.InvalidParams, g.Vcpus[0]!.Vcpu.Context.X[0]);
    }

    [Fact]
    public void Cpu_off_powers_the_vcpu_off_and_cpu_suspend_sleeps_like_wfi()
    {
        var g = Guest(realm: true);
        Handle(g, new KvmExit(ExitKind.Psci, Function: Psci.CpuOff));
        Assert.Equal(VcpuPower.Off, g.Vcpus[0]!.Power);
        var h = Guest(realm: false);
        Handle(h, new KvmExit(ExitKind.Psci, Function: Psci.CpuSuspend));
        Assert.True(h.Vcpus[0]!.Blocked);
        Assert.Equal(Psci.Success, h.Vcpus[0]!.Vcpu.Context.X[0]);
    }

    [Theory]
    [InlineData(Psci.SystemOff, 0)]
    [InlineData(Psci.SystemReset, 1)]
    public void System_off_and_reset_stop_this_vcpu_and_tell_the_vmm(ulong fid, long reset)
    {
        var g = Guest(realm: true);
        var cpu = Handle(g, new KvmExit(ExitKind.Psci, Function: fid));
        Assert.True(g.Vcpus[0]!.StopRequested);
        Assert.Equal([(Vmm, KvmKinds.GuestPower, 100L << 1 | reset)], cpu.Sent);
    }

    [Fact]
    public void A_ripas_change_over_addresses_without_level_3_tables_creates_them_then_applies_it_from_where_each_call_stopped()
    {
        var g = Guest(realm: true);
        var calls = new List<SmcCall>();
        var cpu = Handle(g, new KvmExit(ExitKind.RipasChange, Address: 0x20_0000, Top: 0x20_2000, Value: 0), c =>
        {
            calls.Add(c);
            return c.Fid switch
            {
                // The first try stops at level 2 (no level-3 table covers 0x200000 yet); after RTT_CREATE it goes half way, then the rest.
                RmiFid.RttSetRipas when calls.Count(x => x.Fid == RmiFid.RttSetRipas) == 1 => SmcResult.Of(RmiStatus.ErrorRtt, 2),
                RmiFid.RttSetRipas when c.X3 == 0x20_0000 => SmcResult.Of(RmiStatus.Success, 0, 0x20_1000),
                RmiFid.RttSetRipas => SmcResult.Of(RmiStatus.Success, 0, 0x20_2000),
                _ => SmcResult.Success,
            };
        });
        Assert.Equal([RmiFid.RttSetRipas, RmiFid.GranuleDelegate, RmiFid.RttCreate, RmiFid.RttSetRipas, RmiFid.RttSetRipas], calls.Select(c => c.Fid));
        Assert.Equal((3UL, 0x20_0000UL), (calls[2].X4, calls[2].X3)); // a level-3 table covering the 2 MiB block
        Assert.Equal(0x20_1000UL, calls[4].X3);
        Assert.Equal([(3, 0x20_0000UL, calls[1].X1)], g.Book.Rtts);
    }

    [Fact]
    public void A_stage_2_fault_on_unbacked_realm_ram_delegates_the_memslots_page_and_maps_it_creating_the_missing_levels()
    {
        var g = Guest(realm: true);
        var calls = new List<SmcCall>();
        int tries = 0;
        Handle(g, new KvmExit(ExitKind.Stage2Fault, Address: 0x40_1234), c =>
        {
            calls.Add(c);
            if (c.Fid == RmiFid.DataCreateUnknown) return ++tries switch { 1 => SmcResult.Of(RmiStatus.ErrorRtt, 1), 2 => SmcResult.Of(RmiStatus.ErrorRtt, 2), _ => SmcResult.Success };
            return SmcResult.Success;
        });
        Assert.Equal([RmiFid.GranuleDelegate, RmiFid.DataCreateUnknown, RmiFid.GranuleDelegate, RmiFid.RttCreate, RmiFid.DataCreateUnknown,
            RmiFid.GranuleDelegate, RmiFid.RttCreate, RmiFid.DataCreateUnknown], calls.Select(c => c.Fid));
        Assert.Equal(0x8000_0000UL + 0x40_1000, calls[0].X1); // the memslot's host page for IPA 0x401000
        Assert.Equal([2, 3], g.Book.Rtts.Select(t => t.Level));
        Assert.True(g.Book.IsPopulated(0x40_1000));
        Assert.Equal(1, g.Book.PopulatedOnDemand);
        // The same fault again (another vCPU raced it): nothing more to do.
        calls.Clear();
        Handle(g, new KvmExit(ExitKind.Stage2Fault, Address: 0x40_1000));
        Assert.Empty(calls);
    }

    [Fact]
    public void A_realm_fault_outside_its_ram_gets_an_external_abort_on_the_next_entry()
    {
        var g = Guest(realm: true, ramBytes: 1 << 20);
        Handle(g, new KvmExit(ExitKind.Stage2Fault, Address: 0x20_0000));
        Assert.Equal(RecEntryFlags.InjectSea, g.Vcpus[0]!.EntryFlags);
    }

    [Fact]
    public void A_vms_fault_on_its_ram_maps_the_page_in_kvms_stage_2()
    {
        var g = Guest(realm: false);
        Assert.False(g.Stage2!.TryTranslate(0x3010, out _, out _));
        var cpu = Handle(g, new KvmExit(ExitKind.Stage2Fault, Address: 0x3010));
        Assert.Equal([$"work {Costs.Stage2Fault} KVM maps a RAM page into the VM's stage 2"], cpu.Log);
        Assert.True(g.Stage2.TryTranslate(0x3010, out var pa, out bool secure));
        Assert.Equal((0x8000_3010UL, false), (pa, secure));
    }

    [Fact]
    public void A_guest_serror_is_fatal_and_named()
    {
        var e = Assert.Throws<SimulationException>(() => Handle(Guest(realm: true), new KvmExit(ExitKind.SError)));
        Assert.Contains("SError", e.Message);
    }
}
