namespace VirtCca.Kvm.Tests;

/// <summary>
/// Bare metal: the program runs without a hypervisor, so its traps are the host kernel's (a null system
/// call of 260 cycles for a hypercall, a device access of 520 for MMIO: platform.native), no stage 2
/// exists to fault on or to walk.
/// </summary>
public sealed class NativeTests
{
    [Fact]
    public void A_hypercall_on_bare_metal_is_a_null_system_call_and_mmio_a_device_access()
    {
        var m = Machines.Run(PlatformConfiguration.Native, [new Hypercall(), new Mmio(0x0A00_0000, Write: true, InKernel: false)]);
        var l = m.Pes[0].Ledger;
        // Each is the exception entry (130 cycles) and the kernel's part after it: 130 for the system call, 390 for the device.
        Assert.Equal(3 * Machines.Ps(130) + Machines.Ps(390), l[TimeCategory.Kvm]);
        Assert.Equal(0, l[TimeCategory.Guest]);
        Assert.Equal((0, 0), (l[TimeCategory.Monitor], l[TimeCategory.Tmm]));
    }

    [Fact]
    public void Bare_metal_touches_its_ram_without_a_stage_2_fault()
    {
        var native = Machines.Run(PlatformConfiguration.Native, [new Touch(0x1000), new Touch(0x2000, Write: true)]);
        var vm = Machines.Run(PlatformConfiguration.Baseline, [new Touch(0x1000), new Touch(0x2000, Write: true)]);
        Assert.Equal(0, native.Kvm(0).Stage2Faults);
        Assert.Equal(2, vm.Kvm(0).Stage2Faults);
    }

    [Fact]
    public void A_memory_bound_program_is_faster_on_bare_metal_within_the_published_range()
    {
        // 2.2 TLB misses per 1,000 cycles (memory-random.conf): about 10 % of native cycles walking (Basu et al.);
        // nested paging should cost more, but within the mid-teens of percent (Agile Paging).
        IReadOnlyList<Op> work = [new Compute(10_000_000, 2.2m)];
        long native = Machines.Run(PlatformConfiguration.Native, work).Pes[0].Ledger[TimeCategory.Guest];
        long vm = Machines.Run(PlatformConfiguration.Baseline, work).Pes[0].Ledger[TimeCategory.Guest];
        double overhead = (double)vm / native - 1;
        Assert.InRange(overhead, 0.05, 0.15);
        Assert.Equal(Machines.Ps(10_000_000 + 1_113_200), native); // 22,000 misses x 50.6 cycles
    }
}
