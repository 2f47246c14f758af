namespace VirtCca.Devices.Gic;

/// <summary>GICv3 interrupt groups.</summary>
public enum InterruptGroup { Group0, Group1Secure, Group1NonSecure }

/// <summary>How many of a set of interrupts are pending: lets the GIC skip a set with none when it looks for the next one to signal.</summary>
public sealed class PendingCount
{
    public int Value { get; internal set; }
}

/// <summary>State of one interrupt for one target (SGI/PPI are banked per CPU, SPIs are global).</summary>
public sealed class InterruptState(PendingCount? count = null)
{
    private bool _pending;
    public bool Enabled = true, Active;

    public bool Pending
    {
        get => _pending;
        set
        {
            if (value == _pending) return;
            _pending = value;
            if (count != null) count.Value += value ? 1 : -1;
        }
    }

    public byte Priority = 0xA0;
    public InterruptGroup Group = InterruptGroup.Group1NonSecure;
}
