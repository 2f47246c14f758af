using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.Launcher.Composition;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Tests;

/// <summary>
/// Issue 8 item 5, the HOCON side: machine.guests, the scheduler and realm sizes, read into a MachineSpec
/// and checked (the builder that runs several guests is another's; these tests stop at the spec).
/// </summary>
public sealed class GuestsTests
{
    private static string Machine(string hocon) => Runs.Write(Runs.MachineHead + hocon);

    [Fact]
    public void Several_guests_are_read_with_their_programs_pins_realms_and_the_scheduler()
    {
        var spec = Runs.Spec(Machine("""
            machine {
              pes = 4
              realm.image-pages = 8
              scheduler { time-slice = 250 us, context-switch-cycles = 9000 }
              guests = [
                { name = db, configuration = virtcca-sel2, vcpus = 2, boot = psci, pes = [0, 1]
                  programs = { all = [ { op = wfi } ], 0 = [ { op = psci-cpu-on, target = 1 } ] }
                  realm { ram = 1 MiB, hash = sha512 } }
                { name = web, configuration = baseline, program = [ { op = hypercall } ], pes = [3] }
                { program = [ { op = compute, time = 1 us } ] }
              ]
            }
            """));
        Assert.Equal(4, spec.Pes);
        Assert.Equal(new SchedulerSpec { TimeSlice = SimTime.FromMicroseconds(250), ContextSwitchCycles = 9000 }, spec.Scheduler);
        Assert.Equal(["db", "web", "guest2"], spec.Guests.Select(g => g.Name));
        var (db, web, third) = (spec.Guests[0], spec.Guests[1], spec.Guests[2]);
        Assert.Equal((PlatformConfiguration.VirtccaSel2, true, 2), (db.Configuration, db.PsciBoot, db.Vcpus));
        Assert.Equal([0, 1], db.Pins!);
        Assert.Equal([new PsciCpuOn(1)], db.Programs[0]);
        Assert.Equal([new Wfi()], db.Programs[1]);
        // The guest's own realm fields, the machine's for the rest (image-pages), reference.conf's after that.
        Assert.Equal((1UL << 20, 16, 8, (byte)1, (byte)40, 2), (db.Realm.Ram, db.Realm.RamPages, db.Realm.ImagePages, db.Realm.HashAlgorithm, db.Realm.IpaBits, db.Realm.Vcpus));
        Assert.Equal((PlatformConfiguration.Baseline, 1, false), (web.Configuration, web.Vcpus, web.PsciBoot));
        Assert.Equal([3], web.Pins!);
        // A guest that says nothing takes the machine's configuration and boot; compute time is cycles at 3.0 GHz (the test platform).
        Assert.Equal((PlatformConfiguration.VirtccaSel2, false), (third.Configuration, third.PsciBoot));
        Assert.Null(third.Pins);
        Assert.Equal([new Compute(3000)], third.Programs.Single());
        Assert.Equal(PlatformConfiguration.VirtccaSel2, spec.TmmConfiguration);
    }

    [Fact]
    public void The_single_guest_keys_still_mean_one_guest()
    {
        var spec = Runs.Spec(Machine("machine { configuration = virtcca-el3, vcpus = 3, boot = psci, program = [ { op = wfi } ] }"));
        var g = spec.Guests.Single();
        Assert.Equal(("guest0", PlatformConfiguration.VirtccaEl3, 3, true, (IReadOnlyList<int>?)null), (g.Name, g.Configuration, g.Vcpus, g.PsciBoot, g.Pins));
        Assert.Null(spec.Pes);
        Assert.Equal(new SchedulerSpec(), spec.Scheduler); // reference.conf's scheduler is the spec's default
        Assert.Same(g.Programs[0], g.Programs[2]); // one program for every vCPU is held once
    }

    [Fact]
    public void Realm_ram_is_all_of_ram_populated_on_demand_and_ram_pages_is_populated_at_creation()
    {
        var spec = Runs.Spec(Machine("machine.guests = [ { program = [ { op = wfi } ], realm { ram = 16 GiB } } ]"));
        Assert.Equal((16UL << 30, 16), (spec.Guests.Single().Realm.Ram, spec.Guests.Single().Realm.RamPages));
        spec = Runs.Spec(Machine("machine { configuration = baseline, program = [ { op = wfi } ], realm.ram-pages = 100000 }"));
        Assert.Equal(100_000, spec.Guests.Single().Realm.RamPages);
        spec = Runs.Spec(Machine("machine { program = [ { op = wfi } ], realm.ram = 32 KiB, realm.image-pages = 2 }"));
        Assert.Equal((32UL << 10, 8), (spec.Guests.Single().Realm.Ram, spec.Guests.Single().Realm.RamPages)); // never more than all of RAM
        // Neither given: 16 pages, or the image and one host-call block per vCPU (1,024 vCPUs: 4 + 64 pages).
        spec = Runs.Spec(Machine("machine { vcpus = 1024, pes = 64, program = [ { op = wfi } ] }"));
        Assert.Equal(68, spec.Guests.Single().Realm.RamPages);
    }

    [Theory]
    [InlineData("machine.guests = [ { configuration = virtcca-sel2, program = [ { op = wfi } ] }\n  { configuration = virtcca-el3, program = [ { op = wfi } ] } ]",
        "exp.conf:4: machine.guests[1].configuration: virtcca-el3 beside virtcca-sel2 (guest 'guest0'): the firmware puts the TMM at S-EL2 or in EL3")]
    [InlineData("machine.configuration = virtcca-el3\nmachine.guests = [ { program = [ { op = wfi } ] }, { configuration = virtcca-sel2, program = [ { op = wfi } ] } ]",
        "exp.conf:4: machine.guests[1].configuration: virtcca-sel2 beside virtcca-el3")]
    [InlineData("machine.guests = [ { name = a, program = [ { op = wfi } ] }\n  { name = a, program = [ { op = wfi } ] } ]",
        "exp.conf:4: machine.guests[1].name: 'a' is also the name of machine.guests[0]; guest names must differ")]
    [InlineData("machine.guests = [ { name = \"a b\", program = [ { op = wfi } ] } ]", "machine.guests[0].name: 'a b': a guest's name is letters")]
    [InlineData("machine.vcpus = 2\nmachine.guests = [ { program = [ { op = wfi } ] } ]", "exp.conf:3: machine.vcpus: set together with machine.guests")]
    [InlineData("machine.program = [ { op = wfi } ]\nmachine.guests = [ { program = [ { op = wfi } ] } ]", "exp.conf:3: machine.program: set together with machine.guests")]
    [InlineData("machine.guests = [ { vcpus = 2, program = [ { op = wfi } ], pes = [0] } ]", "machine.guests[0].pes: 1 PEs for 2 vCPUs")]
    [InlineData("machine.guests = [ { program = [ { op = wfi } ], realm { ram = 1 MiB, ram-pages = 256 } } ]", "machine.guests[0].realm.ram: give ram or ram-pages, not both")]
    [InlineData("machine.realm { ram = 1 MiB, ram-pages = 256 }\nmachine.program = [ { op = wfi } ]", "exp.conf:3: machine.realm.ram: give ram or ram-pages, not both")]
    [InlineData("machine.program = [ { op = wfi } ]\nmachine.realm.ram = 5000", "machine.realm.ram: 5000 bytes is not a whole number of 4 KiB pages")]
    [InlineData("machine.program = [ { op = wfi } ]\nmachine.realm.ram = 3 parsecs", "machine.realm.ram: '3 parsecs': unknown size unit")]
    [InlineData("machine.guests = [ { program = [ { op = wfi } ] } ]\nmachine.vcpus = auto\nmachine.pes = 200", "machine.pes: 200 is out of range [1, 64]")]
    [InlineData("machine.guests = { a = 1 }", "machine.guests: expected a list of guests")]
    [InlineData("machine.guests = [ { vcpus = 40, program = [ { op = wfi } ] }, { vcpus = 40, program = [ { op = wfi } ] } ]",
        "machine.pes: auto gives every vCPU its own PE, but 80 vCPUs are more than the platform's 64 PEs")]
    public void Guests_are_checked_naming_where_each_value_was_written(string machine, string error)
    {
        Assert.Contains(error, Runs.SpecError(Machine(machine)));
    }

    [Fact]
    public void A_baseline_guest_may_share_a_machine_with_realms_of_either_kind()
    {
        var spec = Runs.Spec(Machine("machine.guests = [ { configuration = baseline, program = [ { op = wfi } ] }, { configuration = virtcca-el3, program = [ { op = wfi } ] } ]"));
        Assert.Equal(PlatformConfiguration.VirtccaEl3, spec.TmmConfiguration);
        Assert.Equal(2, spec.TotalVcpus);
    }
}
