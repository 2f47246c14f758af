using BenchmarkDotNet.Attributes;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Measurement;

namespace VirtCca.Benchmarks;

/// <summary>
/// The TMM's measurement and attestation work: extending the RIM with one 4 KiB DATA_CREATE
/// (content hashed; MB/s = 4096 B / time), and building / verifying one CCA token.
/// </summary>
[ShortRunJob]
public class MeasurementBenchmarks
{
    private readonly byte[] _page = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
    private RealmMeasurement _m256 = null!, _m512 = null!;
    private PlatformIdentity _identity = null!;
    private CcaTokenBuilder _builder = null!;
    private RealmClaims _claims = null!;
    private byte[] _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        _m256 = new RealmMeasurement(RmiHashAlgorithm.Sha256);
        _m512 = new RealmMeasurement(RmiHashAlgorithm.Sha512);
        _identity = PlatformIdentity.FromSeed(1);
        _builder = new CcaTokenBuilder(_identity);
        _claims = new RealmClaims(new byte[64], new byte[64], RmiHashAlgorithm.Sha256, _m256.Value(0),
            Enumerable.Range(1, 4).Select(_m256.Value).ToArray());
        _token = _builder.Build(_claims);
    }

    [GlobalCleanup]
    public void Cleanup() => _identity.Dispose();

    [Benchmark]
    public void DataCreateMeasureSha256() => _m256.MeasureData(0x1000, 1, _page);

    [Benchmark]
    public void DataCreateMeasureSha512() => _m512.MeasureData(0x1000, 1, _page);

    [Benchmark]
    public int BuildToken() => _builder.Build(_claims).Length;

    [Benchmark]
    public bool VerifyToken() => CcaTokenVerifier.Verify(_token, _identity.Cpak).Ok;
}
