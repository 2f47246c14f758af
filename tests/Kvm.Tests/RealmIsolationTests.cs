using VirtCca.Launcher.Composition;
using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;
using VirtCca.Tmm;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// A host-owned device with a bypass stream in the normal world, DMAing while a realm runs: into the
/// TMM's secure pool (where realm memory lives) it is refused by the TZASC region boot firmware set
/// up; into normal DRAM it lands. The realm does not notice.
/// </summary>
public sealed class RealmIsolationTests
{
    private const ulong HostDram = 0x8800_0000;

    /// <summary>Configures its stream as the host driver would, then writes 8 bytes at each target, one per microsecond.</summary>
    private sealed class DmaDevice(int smmu, params ulong[] targets) : Component
    {
        public readonly List<string> Replies = new();

        public override void Start(ISimContext ctx)
        {
            var ste = new SmmuCommand { Op = SmmuOp.ConfigureSte, Stream = 7, Mode = SteMode.Bypass, Secure = false };
            ctx.Send(smmu, SmmuActor.KindCommand, 0, ste.ToByteArray());
            for (int i = 0; i < targets.Length; i++) ctx.Schedule(SimTime.FromMicroseconds(1 + i), 1, i);
        }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            if (ev.Kind == 1)
            {
                var dma = new DmaRequest { Tag = (ulong)ev.Arg + 1, Stream = 7, Iova = targets[ev.Arg], Write = true, Data = ByteString.CopyFrom(new byte[8] { 1, 2, 3, 4, 5, 6, 7, 8 }) };
                ctx.Send(smmu, SmmuActor.KindDma, ev.Arg, dma.ToByteArray());
                return;
            }
            var reply = ev.PayloadAs<MemReply>();
            Replies.Add($"{reply.Tag}:{(reply.Ok ? "ok" : "bus-error")}");
        }
    }

    [Fact]
    public void Dma_from_a_normal_world_stream_into_realm_memory_is_refused_while_the_realm_runs()
    {
        var spec = MachineSpec.OneGuest(PlatformConfiguration.VirtccaSel2, [[new Loop(20, [new Compute(26_000), new Hypercall()])]]);
        ulong pool = new MemoryLayout(spec).Rmm.SecurePoolBase;
        var m = new Machine(spec, [machine => new DmaDevice(machine.SmmuId, pool + 0x3000, HostDram, pool)]);
        SequentialEngine.Run(m.Model, new KernelSettings());

        var device = (DmaDevice)m.Devices[0];
        Assert.Equal(["0:ok", "1:bus-error", "2:ok", "3:bus-error"], device.Replies);
        var tzasc = m.TzascActor!;
        Assert.Equal(2, tzasc.Controller.RefusedAccesses);
        var bytes = new byte[8];
        tzasc.Dram.Read(pool, bytes);
        Assert.Equal(new byte[8], bytes); // nothing landed in the pool
        tzasc.Dram.Read(HostDram, bytes);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, bytes);
        Assert.Equal(40, m.Kvm(0).Vcpu.OpsRetired);
        Assert.Equal(20, m.Tmm().Exits);
    }
}
