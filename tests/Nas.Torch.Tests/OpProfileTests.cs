// libtorch's op profiler through the shim, and the per-op self time computed from its trace.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OpProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-opprof-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SelfTimeIsEachEventsDurationMinusTheEventsDirectlyInsideIt()
    {
        // Thread 1: outer 0-100 holds a 10-40 and b 50-70 (b holds c 55-60); thread 2: a 0-30 on its own.
        var path = Path.Combine(_dir, "trace.json");
        File.WriteAllText(path, """
            [{"name":"outer","ph":"X","ts":0,"dur":100,"tid":1,"pid":"CPU Functions","args":{}},
             {"name":"a","ph":"X","ts":10,"dur":30,"tid":1,"pid":"CPU Functions","args":{}},
             {"name":"b","ph":"X","ts":50,"dur":20,"tid":1,"pid":"CPU Functions","args":{}},
             {"name":"c","ph":"X","ts":55,"dur":5,"tid":1,"pid":"CPU Functions","args":{}},
             {"name":"a","ph":"X","ts":0,"dur":30,"tid":2,"pid":"CPU Functions","args":{}},
             {"name":"meta","ph":"M","tid":1}]
            """);
        var ops = OpProfile.Summarize(path).ToDictionary(o => o.Name);
        Assert.Equal(4, ops.Count);
        Assert.Equal(50e-6, ops["outer"].SelfSeconds, 12);
        Assert.Equal(60e-6, ops["a"].SelfSeconds, 12);
        Assert.Equal(2, ops["a"].Calls);
        Assert.Equal(15e-6, ops["b"].SelfSeconds, 12);
        Assert.Equal(5e-6, ops["c"].SelfSeconds, 12);
        Assert.Equal("a", OpProfile.Summarize(path)[0].Name); // largest self time first
    }

    [Fact]
    public void RecordingAForwardAndBackwardListsTheirOps()
    {
        var path = Path.Combine(_dir, "real.json");
        using var g = new Generator(1);
        using (OpProfile.Record(path))
        {
            using var scope = new TensorScope();
            var x = scope.Own(Tensor.Randn([4, 3], g)).SetRequiresGrad();
            var loss = scope.Own(scope.Own(x.Mul(x)).Sum());
            foreach (var gr in Autograd.Grad([loss], [x])) scope.Own(gr!);
        }
        var names = OpProfile.Summarize(path).Select(o => o.Name).ToList();
        Assert.Contains("aten::mul", names);
        Assert.Contains("aten::sum", names);
        Assert.Contains(names, n => n.Contains("MulBackward", StringComparison.Ordinal));
    }

    [Fact]
    public void StartingTwiceOrStoppingWithoutAStartIsAClearError()
    {
        using (OpProfile.Record(Path.Combine(_dir, "one.json")))
        {
            var e = Assert.Throws<TorchException>(() => OpProfile.Record(Path.Combine(_dir, "two.json")));
            Assert.Contains("already being recorded", e.Message);
        }
    }

    [Fact]
    public void ATraceThatIsNotJsonNamesTheFile()
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, "not json");
        var e = Assert.Throws<InvalidDataException>(() => OpProfile.Summarize(path));
        Assert.Contains(path, e.Message);
    }
}
