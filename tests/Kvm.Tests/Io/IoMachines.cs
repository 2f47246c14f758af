using VirtCca.Launcher.Composition.Io;

namespace VirtCca.Kvm.Tests.Io;

/// <summary>Machines with virtio devices for the tests.</summary>
internal static class IoMachines
{
    public static readonly DeviceSpec Disk = new() { Name = "disk", Type = DeviceType.VirtioBlk };

    public static MachineSpec WithDevices(PlatformConfiguration config, IReadOnlyList<Op>[] programs, params DeviceSpec[] devices) =>
        MachineSpec.OneGuest(config, programs) is var s ? s with { Guests = [s.Guests[0] with { Devices = devices }] } : throw new InvalidOperationException();
}
