using VirtCca.Devices.Load;
using VirtCca.Launcher.Composition.Io;
using VirtCca.Launcher.Composition.Network;

namespace VirtCca.Kvm.Tests.Io;

/// <summary>Machines and networks with virtio devices for the tests.</summary>
internal static class IoMachines
{
    public const long Hz = 2_600_000_000;
    public static long Ps(long cycles) => SimTime.FromCycles(cycles, Hz).Picoseconds;
    public static long Ns(long ns) => ns * 1000;

    public static readonly DeviceSpec Disk = new() { Name = "disk", Type = DeviceType.VirtioBlk };
    public static readonly DeviceSpec Eth = new() { Name = "eth0", Type = DeviceType.VirtioNet };

    public static MachineSpec WithDevices(PlatformConfiguration config, IReadOnlyList<Op>[] programs, params DeviceSpec[] devices) =>
        MachineSpec.OneGuest(config, programs) is var s ? s with { Guests = [s.Guests[0] with { Devices = devices }] } : throw new InvalidOperationException();

    public static MachineSpec WithGuest(this MachineSpec s, Func<GuestSpec, GuestSpec> change) => s with { Guests = [change(s.Guests[0])] };

    /// <summary>A server machine with <paramref name="server"/>'s guest and a client machine with a load generator aiming at it.</summary>
    public static NetworkModel Network(MachineSpec server, LoadSettings load) => new(new NetworkSpec
    {
        Machines =
        [
            new NetMachineSpec("server", server, null, new(), SimTime.FromNanoseconds(200)),
            new NetMachineSpec("client", null, new LoadSpec(load, ["all"]), new(), SimTime.FromNanoseconds(200)),
        ],
    });
}
