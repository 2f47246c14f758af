global using VirtCca.Cores.Pe;
global using VirtCca.Cores.Platform;
global using VirtCca.Cores.Workloads;
global using VirtCca.Interconnect;
global using VirtCca.Interconnect.Engine;
global using VirtCca.Kvm.Realms;
global using VirtCca.SecureMonitor;
global using VirtCca.Tmm.Actor;
