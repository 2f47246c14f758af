// The kernel and Akka namespaces every component test uses.
global using Akka.Actor;
global using Akka.Configuration;
global using Google.Protobuf;
global using VirtCca.Devices.Protocol;
global using VirtCca.Interconnect;
global using VirtCca.Interconnect.Engine;
global using VirtCca.Tmm.Abi;
