using VirtCca.Cores.Vcpu;
using VirtCca.Cores.Workloads;
using VirtCca.Devices;
using VirtCca.Devices.Load;
using VirtCca.Devices.Network;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Interconnect;

namespace VirtCca.Cores.Io;

/// <summary>What the PE does after an I/O operation's turn: run on, trap the notify write, or sleep (WFI) until an interrupt.</summary>
public enum IoOutcome { Continue, Notify, Wait }

/// <summary>What guest I/O needs of the CPU it runs on.</summary>
public interface IIoCpu
{
    SimTime Now { get; }
    SimRandom Random { get; }
    void Send(int target, int kind, long arg = 0, object? payload = null, SimTime extraDelay = default);
}

public sealed partial class GuestIo
{
    /// <summary>
    /// One turn of an I/O operation on vCPU <paramref name="v"/> (the operation the vCPU is at): a
    /// driver step put in front of the program (its cycles, then <see cref="IoApply"/>), the program's
    /// operation retired, or the notify write or a sleep for the PE to carry out.
    /// </summary>
    public IoOutcome Perform(VcpuActor v, Op op, IIoCpu cpu)
    {
        switch (op)
        {
            case IoNotify: return IoOutcome.Notify; // the PE traps the write; its emulation retires it
            case IoApply a:
                v.Complete();
                Apply(v, a, cpu);
                return IoOutcome.Continue;
            case IoInterrupt i:
                v.Complete();
                var q = i.Queue;
                bool tx = q.Device.Kind == IoDeviceKind.Net && i.Intid != q.Intid;
                Run(v, q, q.Device.Kind == IoDeviceKind.Blk ? q.Blk.OnInterrupt() : tx ? q.Net.OnTxInterrupt() : q.Net.OnRxInterrupt(), tx, first: true);
                return IoOutcome.Continue;
            case IoPoll p:
                v.Complete();
                Run(v, p.Queue, p.Queue.Net.Poll(), false, first: true);
                return IoOutcome.Continue;
            case IoRespond r:
                v.Complete();
                Sent(r.Frame, cpu);
                Run(v, r.Queue, r.Queue.Net.Send(r.Id, r.Frame), false, first: true);
                return IoOutcome.Continue;
            case BlockIo b: return Block(v, b, cpu);
            case NetSend s: return Send(v, s, cpu);
            case NetReceive n: return Receive(v, n);
            case Serve s: return Serve(v, s, cpu);
            default: throw new InvalidOperationException($"vCPU {v.Identity}: {op} is not an I/O operation");
        }
    }

    /// <summary>A driver step as guest work: its cycles, then its effects.</summary>
    private static void Run(VcpuActor v, IoQueue q, DriverStep step, bool txDrained, bool first)
    {
        Op[] work = [new Compute(step.Cycles), new IoApply(q, step, txDrained)];
        if (first) v.InsertFirst(work);
        else foreach (var w in work) v.Insert(w);
    }

    /// <summary>This vCPU's progress in <paramref name="op"/>, fresh when the operation is new; it is awake now.</summary>
    private VcpuIo Begin(VcpuActor v, Op op, IoQueue q, int slots = 0)
    {
        var st = _vcpus[v.Index];
        if (!ReferenceEquals(st.Current, op))
        {
            st.Current = op;
            st.Submitted = st.Completed = st.Count = 0;
            st.InFlight = 0;
            st.FreeSlots.Clear();
            for (int s = slots - 1; s >= 0; s--) st.FreeSlots.Push(s);
        }
        st.Waiting = st.WakePending = false;
        q.Waiters.Remove(v.Index);
        return st;
    }

    private IoOutcome Done(VcpuActor v, VcpuIo st)
    {
        st.Current = null;
        v.Complete();
        return IoOutcome.Continue;
    }

    private IoOutcome Sleep(VcpuIo st, IoQueue q)
    {
        st.Waiting = true;
        q.Waiters.Add(st.Vcpu);
        return IoOutcome.Wait;
    }

    private IoOutcome Block(VcpuActor v, BlockIo b, IIoCpu cpu)
    {
        var d = Device(b.Device, IoDeviceKind.Blk);
        var q = d.QueueOf(v.Index);
        var st = Begin(v, b, q, Math.Min(b.Depth, d.SlotsPerVcpu));
        if (st.Completed >= b.Requests) return Done(v, st);
        if (st.Submitted < b.Requests && st.InFlight < b.Depth && st.FreeSlots.Count > 0)
        {
            int slot = st.FreeSlots.Pop();
            ulong id = _nextRequest++;
            _requests[id] = (v.Index, cpu.Now.Picoseconds, slot, b.Bytes);
            var step = q.Blk.Submit(new BlockRequest(id, b.Write ? BlockOp.Write : BlockOp.Read, Sector(st, d, b, cpu), d.Buffer(v.Index, slot), (uint)b.Bytes));
            st.Submitted++;
            st.InFlight++;
            Metrics.Began(cpu.Now.Picoseconds);
            Run(v, q, step, false, first: false);
            return IoOutcome.Continue;
        }
        return Sleep(st, q);
    }

    /// <summary>The request's first sector: sequential from this vCPU's cursor on the device, or random, aligned to the request, within the span.</summary>
    private static ulong Sector(VcpuIo st, IoDevice d, BlockIo b, IIoCpu cpu)
    {
        long bytes = Math.Max(512, b.Bytes);
        if (b.Sequential)
        {
            long at = st.SequentialCursor.GetValueOrDefault(d.Name);
            if (at + bytes > b.SpanBytes) at = 0;
            st.SequentialCursor[d.Name] = at + bytes;
            return (ulong)(at / 512);
        }
        long slots = Math.Max(1, b.SpanBytes / bytes);
        return (ulong)(cpu.Random.NextInt((int)Math.Min(slots, int.MaxValue)) * bytes / 512);
    }

    private IoOutcome Start(VcpuActor v, IoQueue q)
    {
        q.Started = true;
        Run(v, q, q.Net.Start(), false, first: false);
        return IoOutcome.Continue;
    }

    private IoOutcome Send(VcpuActor v, NetSend s, IIoCpu cpu)
    {
        var d = Device(s.Device, IoDeviceKind.Net);
        var q = d.QueueOf(v.Index);
        var st = Begin(v, s, q);
        if (!q.Started) return Start(v, q);
        if (q.Net.TxWaiting > 0) return Sleep(st, q); // the stack stops the queue until the ring has room
        if (st.Count >= s.Count) return Done(v, st);
        int to = _stations(s.To) ?? throw new InvalidOperationException($"guest {Guest}: no station '{s.To}' to send to");
        var frame = Ethernet.Frame(to, d.Station, new byte[s.Bytes]);
        st.Count++;
        Metrics.Began(cpu.Now.Picoseconds);
        Sent(frame, cpu);
        Run(v, q, q.Net.Send(_nextPacket++, frame), false, first: false);
        return IoOutcome.Continue;
    }

    private IoOutcome Receive(VcpuActor v, NetReceive r)
    {
        var q = Device(r.Device, IoDeviceKind.Net).QueueOf(v.Index);
        var st = Begin(v, r, q);
        if (!q.Started) return Start(v, q);
        while (st.Count < r.Count && q.Inbox.TryDequeue(out _)) st.Count++;
        return st.Count >= r.Count ? Done(v, st) : Sleep(st, q);
    }

    private IoOutcome Serve(VcpuActor v, Serve s, IIoCpu cpu)
    {
        var d = Device(s.Device, IoDeviceKind.Net);
        var q = d.QueueOf(v.Index);
        var st = Begin(v, s, q);
        if (!q.Started) return Start(v, q);
        if (s.Requests > 0 && st.Count >= s.Requests) return Done(v, st);
        while (q.Inbox.TryDequeue(out var frame))
        {
            if (frame.Length < Ethernet.HeaderBytes || AppMessage.Decode(frame.AsSpan(Ethernet.HeaderBytes)) is not { Kind: AppMessage.Request } m) continue;
            var response = Ethernet.Frame(Ethernet.Source(frame), d.Station, new AppMessage(AppMessage.Response, m.Connection, m.Id, 0).Encode((int)m.ResponseBytes));
            st.Count++;
            Metrics.Served++;
            v.Insert(new Compute(s.Cycles, s.TlbMissesPerThousandCycles));
            v.Insert(new IoRespond(q, m.Id, response));
            return IoOutcome.Continue;
        }
        return Sleep(st, q);
    }

    private void Sent(byte[] frame, IIoCpu cpu)
    {
        Metrics.NetTxPackets++;
        Metrics.NetTxBytes += frame.Length;
        Metrics.Ended(cpu.Now.Picoseconds);
    }

    /// <summary>A step's effects at its end: publications to the backend, completions to their owners, then its notifications, a re-poll and wake-ups of sleepers on other vCPUs.</summary>
    private void Apply(VcpuActor v, IoApply a, IIoCpu cpu)
    {
        var q = a.Queue;
        var step = a.Step;
        foreach (var p in step.Publications) cpu.Send(q.Backend, DeviceKinds.VirtioAvailPublished, p.Queue, p);
        long now = cpu.Now.Picoseconds;
        var wake = new List<int>();
        foreach (var c in step.Completed)
        {
            if (q.Device.Kind == IoDeviceKind.Blk) Completed(c, now, v.Index, wake);
            else
            {
                q.Inbox.Enqueue(c.Data ?? []);
                Metrics.NetRxPackets++;
                Metrics.NetRxBytes += c.Bytes;
                Metrics.Began(now);
                Metrics.Ended(now);
            }
        }
        if (q.Device.Kind == IoDeviceKind.Net && (step.Completed.Count > 0 || a.TxDrained))
            foreach (int w in q.Waiters) Wake(w, v.Index, wake);
        var next = new List<Op>(step.Notifications.Count + wake.Count + 1);
        foreach (var n in step.Notifications) next.Add(new IoNotify(q, q.NotifyAddress, n.Data));
        if (step.Repoll) next.Add(new IoPoll(q));
        foreach (int w in wake) next.Add(new SendIpi(w, WakeSgi));
        Metrics.WakeIpis += wake.Count;
        if (next.Count > 0) v.InsertFirst([.. next]);
    }

    private void Completed(DriverCompletion c, long now, int current, List<int> wake)
    {
        if (!_requests.Remove(c.Id, out var r)) throw new InvalidOperationException($"guest {Guest}: completion of request {c.Id}, which is not in flight");
        var st = _vcpus[r.Vcpu];
        st.Completed++;
        st.InFlight--;
        st.FreeSlots.Push(r.Slot);
        Metrics.BlkRequests++;
        if (c.Status == VirtioBlk.StatusOk) Metrics.BlkBytes += r.Bytes; else Metrics.BlkErrors++;
        Metrics.BlkLatency.Record(now - r.SubmitPs);
        Metrics.Ended(now);
        Wake(r.Vcpu, current, wake);
    }

    /// <summary>A sleeper on another vCPU gets one wake-up IPI (the guest kernel's wake_up from this CPU).</summary>
    private void Wake(int vcpu, int current, List<int> wake)
    {
        var st = _vcpus[vcpu];
        if (vcpu == current || !st.Waiting || st.WakePending) return;
        st.WakePending = true;
        wake.Add(vcpu);
    }
}
