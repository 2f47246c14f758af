using VirtCca.Cores.Workloads;
using VirtCca.Devices.Virtio.Driver;

namespace VirtCca.Cores.Io;

// The guest work a driver step puts in front of the program (VcpuActor.Insert): never in a program
// read from HOCON, so not in the operation vocabulary.

/// <summary>The driver's notify: an MMIO write of the notification data to the queue's notify register (an exit; KVM's ioeventfd or the VMM).</summary>
public sealed record IoNotify(IoQueue Queue, ulong Address, uint Data) : Op, IGuestIoOp;

/// <summary>
/// The end of a driver step: its publications go to the backend, its completions to whoever waits,
/// its notifications and re-polls come next. <paramref name="TxDrained"/>: a transmit interrupt's
/// step, after which senders waiting for ring space may go on.
/// </summary>
public sealed record IoApply(IoQueue Queue, DriverStep Step, bool TxDrained = false) : Op, IGuestIoOp;

/// <summary>The queue's interrupt: the driver's handler runs now (its step is computed when the guest gets here).</summary>
public sealed record IoInterrupt(IoQueue Queue, int Intid) : Op, IGuestIoOp;

/// <summary>NAPI stays in polling mode: another poll of the receive queue.</summary>
public sealed record IoPoll(IoQueue Queue) : Op, IGuestIoOp;

/// <summary>A server's answer: the driver transmits the response frame.</summary>
public sealed record IoRespond(IoQueue Queue, ulong Id, byte[] Frame) : Op, IGuestIoOp;
