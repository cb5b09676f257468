// The one-shot supernet's tensors are handed out through checked role accessors: a system that touches weights, momentum buffers, BN statistics or initial copies without declaring them is refused.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Systems;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class OneShotTensorAccessTests
{
    /// <summary>Runs <paramref name="inner"/> under an access of its own minus <typeparamref name="TDropped"/> (read and write).</summary>
    private sealed class Without<TDropped>(ISystem inner) : ISystem
    {
        public string Name => inner.Name;
        public Access Access { get; } = Copy(inner.Access, typeof(TDropped));
        public void Run(World.World world, in SystemContext ctx) => inner.Run(world, ctx);
    }

    private static Access Copy(Access from, Type dropped)
    {
        var to = new Access();
        void Declare(string method, Type t) => typeof(Access).GetMethod(method)!.MakeGenericMethod(t).Invoke(to, null);
        foreach (var t in from.Reads.Where(t => t != dropped)) Declare(nameof(Access.Read), t);
        foreach (var t in from.Writes.Where(t => t != dropped)) Declare(nameof(Access.Write), t);
        if (from.CreatesEntities) to.Creates();
        if (from.DestroysEntities) to.Destroys();
        return to;
    }

    /// <summary>Reads the trainable weights through the SupernetTensors cache under the given access.</summary>
    private sealed class ReadTrainableSystem(Access access) : ISystem
    {
        public string Name => "read-trainable";
        public Access Access { get; } = access;
        public void Run(World.World world, in SystemContext ctx) => _ = world.ReadResource<SupernetTensors>().Trainable;
    }

    private static OneShotSession Stepped(string method)
    {
        var s = OneShotSession.Create(OneShotSessionTests.Tiny(method), OneShotSessionTests.TinyData());
        s.Step(); // the step's resources (pass tensors, gradients, lr) exist from now on
        s.World.CheckAccesses = true;
        return s;
    }

    [Fact]
    public void ReadingTheOneShotWeightsWithoutDeclaringThemIsRefused()
    {
        using var s = Stepped("spos");
        var ex = Assert.Throws<UndeclaredAccessException>(() => s.World.RunSystem(new ReadTrainableSystem(new Access().Read<SupernetTensors>())));
        Assert.Equal(typeof(Weights), ex.Type);
        Assert.Equal("read-trainable", ex.System);
        s.World.RunSystem(new ReadTrainableSystem(new Access().Read<SupernetTensors>().Read<Weights>())); // declared: allowed
    }

    [Fact]
    public void PathSgdWithoutDeclaringTheMomentumBuffersIsRefusedBeforeItStepsAnything()
    {
        using var s = Stepped("spos");
        var before = s.Supernet.Parameters().Select(p => p.Tensor.ToFloatArray()).ToArray();
        var ex = Assert.Throws<UndeclaredAccessException>(() => s.World.RunSystem(new Without<Momentum>(new PathSgdSystem())));
        Assert.Equal(typeof(Momentum), ex.Type);
        Assert.Equal(before, s.Supernet.Parameters().Select(p => p.Tensor.ToFloatArray()).ToArray());
        Assert.Contains(typeof(Weights), new PathSgdSystem().Access.Writes);
        Assert.Contains(typeof(Momentum), new PathSgdSystem().Access.Writes);
    }

    [Fact]
    public void ATrainingForwardThatDoesNotDeclareWritingTheBnStatisticsIsRefused()
    {
        using var s = Stepped("spos");
        var ex = Assert.Throws<UndeclaredAccessException>(() => s.World.RunSystem(new Without<RunningStats>(new PathForwardSystem())));
        Assert.Equal(typeof(RunningStats), ex.Type);
    }

    [Fact]
    public void DestroyingPrunedOpsWithoutDeclaringTheirTensorsIsRefused()
    {
        using var s = Stepped("bs-nas");
        var op = Entity.Null;
        foreach (var e in s.World.Query<ChoiceOp>()) { op = e; break; }
        s.World.Add(op, new Pruned());
        var ex = Assert.Throws<UndeclaredAccessException>(() => s.World.RunSystem(new Without<InitialWeights>(new DestroyPrunedSystem())));
        Assert.Equal(typeof(InitialWeights), ex.Type);
        Assert.True(s.World.IsAlive(op)); // refused before destroying anything
        s.World.RunSystem(new DestroyPrunedSystem());
        Assert.False(s.World.IsAlive(op));
    }
}
