using VirtCca.Interconnect;

namespace VirtCca.Devices.Load;

/// <summary>Open loop: requests arrive at a rate whatever the answers; closed loop: N connections, each sending its next request when the last is answered.</summary>
public enum LoadMode { Open, Closed }

/// <summary>A load generator (a client machine's traffic source). Sizes are Ethernet payload bytes (≥ the 18-byte request header).</summary>
public sealed record LoadSettings
{
    /// <summary>This client's station address.</summary>
    public int Address { get; init; }

    /// <summary>Station addresses of the servers: open loop picks one uniformly per request, closed loop binds connection c to server c mod count.</summary>
    public IReadOnlyList<int> Servers { get; init; } = [];

    public LoadMode Mode { get; init; } = LoadMode.Closed;

    /// <summary>Open loop: mean requests per second (exponential inter-arrival times from the component's seeded stream).</summary>
    public double RatePerSecond { get; init; } = 10_000;

    /// <summary>Closed loop: connections, each with one request outstanding.</summary>
    public int Connections { get; init; } = 1;

    public int RequestBytes { get; init; } = 64;
    public int ResponseBytes { get; init; } = 64;

    /// <summary>Requests to send in all; the generator stops after the last.</summary>
    public long Requests { get; init; } = 1_000;

    /// <summary>Closed loop: time between an answer and the connection's next request.</summary>
    public SimTime ThinkTime { get; init; } = SimTime.Zero;

    /// <summary>When the first request goes out.</summary>
    public SimTime StartAt { get; init; } = SimTime.Zero;
}
