using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Tzasc;

/// <summary>
/// The DRAM behind the TZASC: a view of a <see cref="PhysicalMemory"/>, the machine's one memory when
/// one is given (so what a device DMAs is what guests and KVM read), else a private one. Pages exist
/// once written; untouched memory reads as zero and costs nothing.
/// </summary>
public sealed class SparseDram(PhysicalMemory? memory = null)
{
    public PhysicalMemory Memory { get; } = memory ?? new PhysicalMemory();

    public int PagesTouched => (int)Memory.PagesMaterialised;

    public void Read(ulong address, Span<byte> data) => Memory.Read(address, data);

    public void Write(ulong address, ReadOnlySpan<byte> data) => Memory.Write(address, data);
}
