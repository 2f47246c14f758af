namespace VirtCca.Devices.Gic;

/// <summary>GICv3 interrupt groups.</summary>
public enum InterruptGroup { Group0, Group1Secure, Group1NonSecure }

/// <summary>State of one interrupt for one target (SGI/PPI are banked per CPU, SPIs are global).</summary>
public sealed class InterruptState
{
    public bool Enabled = true, Pending, Active;
    public byte Priority = 0xA0;
    public InterruptGroup Group = InterruptGroup.Group1NonSecure;
}
