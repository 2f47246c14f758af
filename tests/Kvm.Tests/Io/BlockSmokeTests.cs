using VirtCca.Launcher.Composition.Io;

namespace VirtCca.Kvm.Tests.Io;

public sealed class BlockSmokeTests
{
    [Theory]
    [InlineData("baseline")]
    [InlineData("virtcca-sel2")]
    public void One_read_completes(string configuration)
    {
        var spec = IoMachines.WithDevices(PlatformConfigurations.Parse(configuration), [[new BlockIo(null, false, 4096)]], IoMachines.Disk);
        var m = new Machine(spec);
        var r = SequentialEngine.Run(m.Model, new KernelSettings());
        var io = m.IoRun!.Guests[0]!;
        Assert.Equal(1, io.Metrics.BlkRequests);
        Assert.Equal(0, io.Metrics.BlkErrors);
        Assert.True(m.Vcpus.All(v => v.Finished));
    }
}
