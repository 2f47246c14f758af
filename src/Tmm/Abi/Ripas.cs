namespace VirtCca.Tmm.Abi;

/// <summary>RmiRipas (§1.3).</summary>
public enum Ripas : ulong { Empty = 0, Ram = 1, Destroyed = 2 }

/// <summary>RmiRttEntryState as RMI_RTT_READ_ENTRY reports it.</summary>
public enum RmiRttEntryState : ulong { Unassigned = 0, Assigned = 1, Table = 2 }
