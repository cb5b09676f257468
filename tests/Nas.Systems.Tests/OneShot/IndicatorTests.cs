// BN-NAS's indicator (§2.2) and BNNAS++'s facets (§3.3 [I]) on hand-worked inputs.
using Nas.Systems.OneShot.Indicators;

namespace Nas.Systems.Tests.OneShot;

public sealed class IndicatorTests
{
    [Fact]
    public void AnOpScoresTheMeanAbsoluteGammaOfItsLastBatchNorm()
    {
        Assert.Equal(2.5, BnIndicator.OpScore([1f, -2f, 3f, -4f]), 12);
    }

    [Fact]
    public void AnArchitectureScoresTheSumOfItsOpsAndIdentityAddsNothing()
    {
        var table = BnIndicator.Table([[[1f, 1f], [2f, -2f]], [[0.5f], null]]);
        Assert.Equal([1.0, 2.0], table[0]);
        Assert.Equal([0.5, 0.0], table[1]);
        Assert.Equal(2.5, BnIndicator.Score(table, [1, 0]), 12);
        Assert.Equal(2.0, BnIndicator.Score(table, [1, -1]), 12);
        Assert.Equal(-2.0, BnIndicator.Fitness(table, [1, -1]), 12);
    }

    [Fact]
    public void TheActivationKernelCountsAgreeingUnitsAndItsLogDeterminantIsExpressivity()
    {
        // Patterns c0 = [1,0], c1 = [1,1], c2 = [0,0]: K = [[2,1,1],[1,2,0],[1,0,2]] (N_A − Hamming), det = 4 by hand.
        var k = BnnasPlusPlus.ActivationKernel(3, [([1f, -1f, 1f, 1f, -1f, -1f], 2)]);
        Assert.Equal(new double[,] { { 2, 1, 1 }, { 1, 2, 0 }, { 1, 0, 2 } }, k);
        Assert.Equal(Math.Log(4), BnnasPlusPlus.Expressivity(k), 12);
    }

    [Fact]
    public void LogAbsDetPivotsAndReportsASingularMatrixAsMinusInfinity()
    {
        Assert.Equal(Math.Log(6), Dense.LogAbsDet(new double[,] { { 0, 2 }, { 3, 1 } }), 12);
        Assert.Equal(double.NegativeInfinity, Dense.LogAbsDet(new double[,] { { 1, 2 }, { 2, 4 } }));
    }

    [Fact]
    public void SymmetricEigenvaluesSumToTheTraceAndMultiplyToTheDeterminant()
    {
        Assert.Equal([3.0, 1.0], Dense.SymmetricEigenvalues(new double[,] { { 2, 1 }, { 1, 2 } }).Select(v => Math.Round(v, 12)));
        // A 6×6 SPD matrix B·Bᵀ + I from fixed numbers; checks against the trace and the LU determinant, 1e-9 relative.
        var b = new double[6, 6];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) b[i, j] = Math.Sin(1 + i * 7 + j * 3);
        var s = new double[6, 6];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) { s[i, j] = i == j ? 1 : 0; for (int k = 0; k < 6; k++) s[i, j] += b[i, k] * b[j, k]; }
        var ev = Dense.SymmetricEigenvalues(s);
        double trace = 0;
        for (int i = 0; i < 6; i++) trace += s[i, i];
        Assert.Equal(trace, ev.Sum(), 1e-9 * trace);
        Assert.Equal(Dense.LogAbsDet(s), ev.Sum(Math.Log), 1e-9);
        Assert.True(ev.Zip(ev.Skip(1)).All(p => p.First >= p.Second));
    }

    [Fact]
    public void TrainabilityIsMinusTheLogConditionNumberOfTheBnNtk()
    {
        // J = [[1,0],[0,2]]: Θ = diag(1, 4), κ = 4.
        Assert.Equal(-Math.Log(4), BnnasPlusPlus.Trainability([1f, 0f, 0f, 2f], 2), 12);
        // Three probes, two parameters: Θ is rank-deficient.
        Assert.Equal(double.NegativeInfinity, BnnasPlusPlus.Trainability([1f, 0f, 0f, 1f, 1f, 1f], 3));
        Assert.Equal(Math.Log(5), BnnasPlusPlus.GradNormTrainability([3f, 4f]), 12);
    }

    [Fact]
    public void UncertaintyIsTheMeanPerClassVarianceAcrossBnStatistics()
    {
        // Two minibatches disagree completely on one image: Var = 0.25 per class, summed over 2 classes.
        double[][][] p = [[[1, 0]], [[0, 1]]];
        Assert.Equal(0.5, BnnasPlusPlus.Uncertainty(p), 12);
        Assert.Equal(Math.Log(2), BnnasPlusPlus.EntropyUncertainty(p), 12);
        Assert.Equal(0, BnnasPlusPlus.Uncertainty([[[0.3, 0.7]], [[0.3, 0.7]]]), 12);
    }

    [Fact]
    public void PercentileRankAveragesTiesWithinThePoolAndTheValue()
    {
        // 3 in {1,2,3,4} ∪ {3}: ranks 3 and 4 are tied, mean 3.5, over 5 values.
        Assert.Equal(0.7, BnnasPlusPlus.PercentileRank(3, [1, 2, 3, 4]), 12);
        Assert.Equal(1.0, BnnasPlusPlus.PercentileRank(9, [1, 2, 3, 4]), 12);
    }

    [Fact]
    public void CombiningRanksLowUncertaintyHighAndWeighsFacets()
    {
        Facets[] pool = [new(0, 0, 1), new(2, 2, 3)];
        var best = new Facets(5, 5, 0);
        Assert.Equal(3.0, BnnasPlusPlus.Combine(best, pool), 12);
        Assert.Equal(1.0, BnnasPlusPlus.Combine(best, pool, weights: (1, 0, 0)), 12);
        // z-scores against the pool: E (5−1)/1, T (5−1)/1, −U (0−(−2))/1.
        Assert.Equal(10.0, BnnasPlusPlus.Combine(best, pool, FacetCombination.ZScore), 12);
    }
}
