namespace VirtCca.Tmm.Abi;

/// <summary>RmiRecExitReason (§1.3).</summary>
public enum RecExitReason : byte { Sync = 0, Irq = 1, Fiq = 2, Psci = 3, RipasChange = 4, HostCall = 5, SError = 6 }
