// Ownership: a training step's temporaries die with its scope, so live tensors and resident memory stay flat.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OwnershipTests
{
    private sealed class TinyNet : IDisposable
    {
        public readonly Tensor Conv, Gamma, Beta, RunningMean, RunningVar, Fc, FcBias;

        public TinyNet(Generator g)
        {
            Conv = Scaled(Tensor.Randn([4, 3, 3, 3], g), 0.2);
            Gamma = Tensor.Ones([4]).SetRequiresGrad();
            Beta = Tensor.Zeros([4]).SetRequiresGrad();
            RunningMean = Tensor.Zeros([4]);
            RunningVar = Tensor.Ones([4]);
            Fc = Scaled(Tensor.Randn([10, 4], g), 0.5);
            FcBias = Tensor.Zeros([10]).SetRequiresGrad();
        }

        private static Tensor Scaled(Tensor t, double s)
        {
            using (NoGrad.Enter()) t.MulInPlace(s);
            return t.SetRequiresGrad();
        }

        public Tensor[] Parameters => [Conv, Gamma, Beta, Fc, FcBias];

        /// <summary>conv -> bn -> relu -> global pool -> linear -> cross-entropy, backward, SGD; returns the loss.</summary>
        public double Step(Tensor x, Tensor y)
        {
            using var s = new TensorScope();
            var h = s.Own(x.Conv2d(Conv, null, padding: 1));
            h = s.Own(h.BatchNorm(Gamma, Beta, RunningMean, RunningVar, training: true));
            h = s.Own(s.Own(s.Own(h.Relu()).AdaptiveAvgPool2d(1, 1)).Flatten(1));
            var loss = s.Own(s.Own(h.Linear(Fc, FcBias)).CrossEntropy(y));
            loss.Backward();
            using (NoGrad.Enter())
                foreach (var p in Parameters)
                {
                    var g = s.Own(p.Grad!);
                    p.AddInPlace(g, -0.05);
                    p.ZeroGrad();
                }
            return loss.Item();
        }

        public void Dispose()
        {
            foreach (var t in new[] { Conv, Gamma, Beta, RunningMean, RunningVar, Fc, FcBias }) t.Dispose();
        }
    }

    private static long ResidentKb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    [Fact]
    public void AThousandTrainingStepsLeaveLiveTensorsAtBaselineAndMemoryFlat()
    {
        // Other tests' forgotten tensors are reclaimed by finalizers; settle them so the baseline is ours.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Tensor.LiveCount;
        using (var g = new Generator(5))
        using (var net = new TinyNet(g))
        using (var x = Tensor.Randn([8, 3, 8, 8], g))
        using (var y = Tensor.Randint(0, 10, [8], g))
        {
            var first = net.Step(x, y);
            for (var i = 0; i < 200; i++) net.Step(x, y); // warm-up: allocator pools and JIT settle
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var liveAfterWarmUp = Tensor.LiveCount;
            var rssBefore = ResidentKb();
            double last = 0;
            for (var i = 0; i < 1000; i++) last = net.Step(x, y);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var rssAfter = ResidentKb();

            Assert.Equal(liveAfterWarmUp, Tensor.LiveCount);
            Assert.True(rssAfter <= rssBefore * 1.05, $"resident memory grew from {rssBefore} kB to {rssAfter} kB");
            Assert.True(last < first, $"the loss should fall on a fixed batch ({first} -> {last})");
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void EveryOpResultIsANewHandleAndDisposingItDoesNotFreeTheInput()
    {
        using var a = Tensor.Ones([2, 3]);
        var before = Tensor.LiveCount;
        var v = a.View(3, 2);
        Assert.Equal(before + 1, Tensor.LiveCount);
        v.Dispose();
        Assert.Equal(before, Tensor.LiveCount);
        using var sum = a.Sum();
        Assert.Equal(6.0, sum.Item());
    }

    [Fact]
    public void ChunkReturnsOneOwnedHandlePerPiece()
    {
        using var a = Tensor.Arange(10);
        var before = Tensor.LiveCount;
        var parts = a.Chunk(3);
        Assert.Equal(before + 3, Tensor.LiveCount);
        Assert.Equal([[0L, 1, 2, 3], [4L, 5, 6, 7], [8L, 9]], parts.Select(p => p.ToLongArray()).ToArray());
        foreach (var p in parts) p.Dispose();
        Assert.Equal(before, Tensor.LiveCount);
    }
}
