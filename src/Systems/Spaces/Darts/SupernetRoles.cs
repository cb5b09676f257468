// The supernet's tensor roles: attached at spawn, derived for old snapshots, resolved once into the checked SupernetRuntime cache.
using Nas.Components;
using Nas.Torch;
using Nas.World;
using WeightsRole = Nas.Components.Weights;
using MomentumRole = Nas.Components.Momentum;
using RunningStatsRole = Nas.Components.RunningStats;
using AlphaRole = Nas.Components.Alpha;
using BetaRole = Nas.Components.Beta;

namespace Nas.Systems.Spaces.Darts;

/// <summary>The stacked or broad network's structure behind a <see cref="SupernetRuntime"/>: the tensor plan, the broad wiring and the forward program built once from them.</summary>
public sealed class SupernetShape(SupernetPlan plan, Broad.BroadPlan? broad) : ISupernetShape
{
    public SupernetPlan Plan { get; } = plan;
    public Broad.BroadPlan? Broad { get; } = broad;
    public Forward.ForwardProgram Program { get; } = Forward.ForwardProgram.Of(plan, broad);
}

/// <summary>The runtime's structure as the Systems types that build and run it (the resource itself lives in Nas.Components).</summary>
public static class SupernetRuntimeShape
{
    extension(SupernetRuntime net)
    {
        /// <summary>The network's structure (layout, cells, edges, ops). Step systems reach its tensors only through the runtime's accessors.</summary>
        public SupernetPlan Plan => ((SupernetShape)net.Shape).Plan;

        /// <summary>Set for the broad (BCNN) space: <see cref="Plan"/> then holds its stem, cells and classifier, this the taps and wiring.</summary>
        public Broad.BroadPlan? Broad => ((SupernetShape)net.Shape).Broad;

        /// <summary>
        /// The forward program of the plan (and broad wiring), built once with the runtime. It reads the weights, and a
        /// training-mode forward moves the BN running statistics in place: a write of them.
        /// </summary>
        public Forward.ForwardProgram Program(World.World world, bool training)
        {
            world.Tensors.Use<WeightsRole>(write: false);
            world.Tensors.Use<RunningStatsRole>(training);
            return ((SupernetShape)net.Shape).Program;
        }
    }
}

public static class SupernetRoles
{
    /// <summary>
    /// Stores <paramref name="named"/> on <paramref name="owner"/> and says their roles: a tensor the initializer made
    /// trainable (requires_grad) is a weight, the others are BatchNorm running statistics (the only buffers layers have).
    /// Weights are listed by store name (ordinal), the order the optimizer counters of every snapshot use. Called again for
    /// the same owner, it extends the owner's roles.
    /// </summary>
    public static void Own(World.World world, Entity owner, IEnumerable<(string Name, Tensor Tensor)> named)
    {
        var weights = world.TryGet<WeightsRole>(owner, out var w) ? w.Names.ToList() : [];
        var stats = world.TryGet<RunningStatsRole>(owner, out var r) ? r.Names.ToList() : [];
        foreach (var (name, tensor) in named)
        {
            world.Tensors.Add(owner, name, tensor);
            (tensor.RequiresGrad ? weights : stats).Add(name);
        }
        weights.Sort(StringComparer.Ordinal);
        if (weights.Count > 0) world.Set(owner, new WeightsRole([.. weights]));
        if (stats.Count > 0) world.Set(owner, new RunningStatsRole([.. stats]));
    }

    /// <summary>Zero SGD momentum beside every weight and zero Adam moments beside alpha and beta, with their role components; and the counters.</summary>
    public static void AddOptimizerState(World.World world)
    {
        var owners = new List<Entity>();
        foreach (var e in world.Query<WeightsRole>()) owners.Add(e);
        var weights = 0;
        foreach (var owner in owners)
        {
            var names = world.Read<WeightsRole>(owner).Names;
            var momentum = names.Select(n => n + ".momentum").ToArray();
            for (var i = 0; i < names.Length; i++) world.Tensors.Add(owner, momentum[i], world.Tensors.Get(owner, names[i]).ZerosLike());
            world.Add(owner, new MomentumRole(momentum));
            weights += names.Length;
        }
        var archs = new List<Entity>();
        foreach (var e in world.Query<Architecture>()) archs.Add(e);
        var arch = 0;
        foreach (var a in archs)
        {
            var alpha = world.Read<Alpha>(a).Tensor;
            world.Add(a, Moments(world, a, alpha, (m, v) => new AlphaMoments(m, v)));
            arch++;
            if (!world.TryGet<Beta>(a, out var beta)) continue;
            world.Add(a, Moments(world, a, beta.Tensor, (m, v) => new BetaMoments(m, v)));
            arch++;
        }
        world.SetResource(new OptimizerCounters(new bool[weights], new long[arch]));
    }

    private static T Moments<T>(World.World world, Entity owner, string parameter, Func<string, string, T> role)
    {
        var t = world.Tensors.Get(owner, parameter);
        var (m, v) = (parameter + ".exp_avg", parameter + ".exp_avg_sq");
        world.Tensors.Add(owner, m, t.ZerosLike());
        world.Tensors.Add(owner, v, t.ZerosLike());
        return role(m, v);
    }

    /// <summary>
    /// Snapshots written before tensor roles were components (format v1 fixtures, and main before this change) hold the
    /// same tensors under the same names but no role components: this attaches them once, from that layout's fixed
    /// naming ("alpha", "beta" and their ".exp_avg"/".exp_avg_sq" on an architecture; on any other owner the trainable
    /// tensors are the weights, each with its "&lt;name&gt;.momentum", the rest BN running statistics). A world that
    /// has role components is left alone.
    /// </summary>
    public static void DeriveLegacy(World.World world)
    {
        if (world.CountOf<Alpha>() > 0 || world.CountOf<WeightsRole>() > 0) return;
        var store = world.Tensors;
        foreach (var e in world.Entities())
        {
            var names = store.NamesOf(e);
            if (names.Count == 0) continue;
            if (world.Has<Architecture>(e))
            {
                world.Add(e, new Alpha("alpha"));
                if (store.TryGet(e, "alpha.exp_avg", out _)) world.Add(e, new AlphaMoments("alpha.exp_avg", "alpha.exp_avg_sq"));
                if (!store.TryGet(e, "beta", out _)) continue;
                world.Add(e, new Beta("beta"));
                if (store.TryGet(e, "beta.exp_avg", out _)) world.Add(e, new BetaMoments("beta.exp_avg", "beta.exp_avg_sq"));
                continue;
            }
            var weights = names.Where(n => store.Get(e, n).RequiresGrad).Order(StringComparer.Ordinal).ToArray();
            var momentum = weights.Select(n => n + ".momentum").ToArray();
            var hasMomentum = momentum.Length > 0 && momentum.All(n => store.TryGet(e, n, out _));
            var stats = names.Where(n => !weights.Contains(n) && !(hasMomentum && momentum.Contains(n))).ToArray();
            if (weights.Length > 0) world.Add(e, new WeightsRole(weights));
            if (hasMomentum) world.Add(e, new MomentumRole(momentum));
            if (stats.Length > 0) world.Add(e, new RunningStatsRole(stats));
        }
    }

    /// <summary>
    /// Gives every weight owner (a <see cref="WeightsRole"/>) a <see cref="WeightGrads"/> of the role's length, and every
    /// architecture an <see cref="AlphaGrad"/> (and a <see cref="BetaGrad"/> where it has a beta): the runtime-only
    /// components the backward systems write. Components that already fit are kept.
    /// </summary>
    public static void AttachGradients(World.World world)
    {
        foreach (var e in world.Query<WeightsRole>().ToList())
        {
            var n = world.Read<WeightsRole>(e).Names.Length;
            if (!world.TryGet<WeightGrads>(e, out var g) || g.Values.Length != n) world.Set(e, new WeightGrads(new Tensor?[n]));
        }
        foreach (var e in world.Query<Architecture>().ToList())
        {
            if (!world.Has<AlphaGrad>(e)) world.Add(e, new AlphaGrad(null));
            if (world.Has<BetaRole>(e) && !world.Has<BetaGrad>(e)) world.Add(e, new BetaGrad(null));
        }
    }

    /// <summary>
    /// The runtime around a resolved plan: every role's tensors from the role components, owners in creation order. Attaches
    /// the gradient components first (<see cref="AttachGradients"/>), so a spawned or resumed world has them.
    /// </summary>
    public static SupernetRuntime Runtime(World.World world, SupernetPlan plan, IReadOnlyList<OpKind> ops, Broad.BroadPlan? broad = null)
    {
        AttachGradients(world);
        var store = world.Tensors;
        var owners = new List<Entity>();
        var weights = new List<Tensor>();
        var momentum = new List<Tensor>();
        foreach (var e in world.Query<WeightsRole>())
        {
            var names = world.Read<WeightsRole>(e).Names;
            foreach (var n in names)
            {
                owners.Add(e);
                weights.Add(store.Get(e, n));
            }
            if (!world.TryGet<MomentumRole>(e, out var m)) continue;
            if (m.Names.Length != names.Length) throw new InvalidOperationException($"{e}: {m.Names.Length} momentum buffers for {names.Length} weights");
            momentum.AddRange(m.Names.Select(n => store.Get(e, n)));
        }
        if (momentum.Count != 0 && momentum.Count != weights.Count)
            throw new InvalidOperationException($"{momentum.Count} momentum buffers for {weights.Count} weights: some weight owners have none");

        var stats = new List<Tensor>();
        foreach (var e in world.Query<RunningStatsRole>())
            stats.AddRange(world.Read<RunningStatsRole>(e).Names.Select(n => store.Get(e, n)));

        var arch = new List<Tensor>();
        var expAvg = new List<Tensor>();
        var expAvgSq = new List<Tensor>();
        Entity normal = Entity.Null, reduce = Entity.Null;
        foreach (var e in world.Query<Architecture>())
        {
            if (world.Read<Architecture>(e).Type == CellType.Normal) normal = e; else reduce = e;
            arch.Add(store.Get(e, world.Read<Alpha>(e).Tensor));
            if (world.TryGet<AlphaMoments>(e, out var am)) { expAvg.Add(store.Get(e, am.ExpAvg)); expAvgSq.Add(store.Get(e, am.ExpAvgSq)); }
            if (!world.TryGet<Beta>(e, out var beta)) continue;
            arch.Add(store.Get(e, beta.Tensor));
            if (world.TryGet<BetaMoments>(e, out var bm)) { expAvg.Add(store.Get(e, bm.ExpAvg)); expAvgSq.Add(store.Get(e, bm.ExpAvgSq)); }
        }
        if (normal.IsNull || reduce.IsNull) throw new InvalidOperationException("the world needs a normal and a reduce architecture entity");
        if (expAvg.Count != 0 && expAvg.Count != arch.Count)
            throw new InvalidOperationException($"{expAvg.Count} Adam moments for {arch.Count} architecture tensors");
        Tensor? BetaOf(Entity e) => world.TryGet<Beta>(e, out var b) ? store.Get(e, b.Tensor) : null;
        return new SupernetRuntime(new SupernetShape(plan, broad), ops, normal, reduce, [.. owners], [.. weights], [.. momentum], [.. arch], [.. expAvg], [.. expAvgSq], [.. stats],
            store.Get(normal, world.Read<Alpha>(normal).Tensor), store.Get(reduce, world.Read<Alpha>(reduce).Tensor), BetaOf(normal), BetaOf(reduce));
    }
}
