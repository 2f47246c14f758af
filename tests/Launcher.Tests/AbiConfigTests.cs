namespace VirtCca.Launcher.Tests;

/// <summary>machine.abi: read, checked, and a TMI run's call counts in results.json.</summary>
public sealed class AbiConfigTests
{
    [Fact]
    public void Machine_abi_is_rmi_or_tmi()
    {
        var file = Runs.Write(Runs.MachineHead + "machine.program = [ { op = compute, cycles = 100 } ]");
        Assert.Equal(HostAbi.Rmi, Runs.Spec(file).Abi);
        Assert.Equal(HostAbi.Tmi, Runs.Spec(file, "machine.abi=tmi").Abi);
        var run = Runs.Run(file, "machine.abi=xmi");
        Assert.Equal(2, run.Code);
        Assert.Contains("error: --set: machine.abi: 'xmi' is not one of: rmi, tmi", run.Err);
    }

    [Fact]
    public void A_tmi_run_reports_every_call_kvm_made_by_phase()
    {
        var run = Runs.Run(Paths.Experiment("realm-smp.conf"), "machine.abi=tmi");
        Assert.True(run.Code == 0, run.Err);
        var metrics = run.Json!.Value.GetProperty("metrics");
        Assert.Equal(1, metrics.GetProperty("guest.guest0.calls.creation.tmi.cvm_create").GetInt32());
        Assert.Equal(4, metrics.GetProperty("guest.guest0.calls.creation.tmi.tec_create").GetInt32());
        Assert.Equal(1, metrics.GetProperty("guest.guest0.calls.teardown.tmi.cvm_destroy").GetInt32());
        Assert.Equal(3, metrics.GetProperty("guest.guest0.calls.run.tmi.psci_complete").GetInt32());
        Assert.False(metrics.TryGetProperty("guest.guest0.calls.creation.rmi.granule_delegate", out _));
    }
}
