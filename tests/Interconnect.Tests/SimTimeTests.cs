namespace VirtCca.Interconnect.Tests;

public sealed class SimTimeTests
{
    [Theory]
    [InlineData(2_600, 2_600_000_000, 1_000_000)]       // 1 µs of cycles at 2.6 GHz
    [InlineData(1, 3, 333_333_333_333)]                 // a third of a second, rounded down
    [InlineData(2, 3, 666_666_666_667)]                 // two thirds, rounded up
    [InlineData(1, 2_000_000_000_000, 0)]               // half a picosecond: ties go to the even 0
    [InlineData(3, 2_000_000_000_000, 2)]               // one and a half: ties go to the even 2
    [InlineData(-3, 2_000_000_000_000, -2)]
    [InlineData(9_000_000_000_000_000_000, 1_000_000_000_000, 9_000_000_000_000_000_000)] // 9e30 in between: past what decimal holds
    public void Cycles_become_picoseconds_rounded_to_nearest_ties_to_even(long cycles, long hz, long ps) =>
        Assert.Equal(ps, SimTime.FromCycles(cycles, hz).Picoseconds);

    [Fact]
    public void Scaling_agrees_with_exact_decimal_arithmetic_where_decimal_is_exact()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            long value = random.NextInt64(-1_000_000_000, 1_000_000_000), divisor = random.NextInt64(1, 10_000_000_000);
            long expected = (long)Math.Round((decimal)value * 1_000_000_000_000m / divisor, MidpointRounding.ToEven);
            Assert.Equal(expected, SimTime.Scale(value, 1_000_000_000_000, divisor));
        }
    }

    [Fact]
    public void A_result_that_does_not_fit_is_an_overflow_not_a_wrong_time() =>
        Assert.Throws<OverflowException>(() => SimTime.FromCycles(long.MaxValue, 1));
}
