// Data-parallel search (issue 17): the gradient all-reduce between backward and the optimizers, and the agreement check.
using System.Security.Cryptography;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>Raised on every rank when some rank's parameters differ from rank 0's: the run cannot go on as one search.</summary>
public sealed class RankDivergenceException(string message) : Exception(message);

/// <summary>
/// Averages this pass's gradients across the ranks, in place, so every rank's optimizer steps with the gradient of the
/// whole global batch. Each rank's loss is the mean over its shard; when the shards are not equal (the last batch of an
/// epoch) each gradient is first scaled by shard/(global/N), so the average weighs every image alike. Runs between the
/// backward systems and the clip/SGD/Adam systems, only when the world size is above 1.
/// </summary>
public sealed class AllReduceGradientsSystem(GradientTargets targets) : ISystem
{
    public GradientTargets Targets { get; } = targets;
    public string Name => Targets switch { GradientTargets.Weights => "all-reduce-weight-gradients", GradientTargets.Arch => "all-reduce-arch-gradients", _ => "all-reduce-gradients" };
    public Access Access { get; } = Declare(targets);

    private static Access Declare(GradientTargets t)
    {
        var a = new Access().Read<DataParallel>().Read<DataFeed>();
        if (t.HasFlag(GradientTargets.Weights)) a.Write<WeightGrads>();
        if (t.HasFlag(GradientTargets.Arch)) a.Write<AlphaGrad>().Write<BetaGrad>();
        return a;
    }

    public void Run(World.World world, in SystemContext ctx)
    {
        var parallel = world.ReadResource<DataParallel>();
        var feed = world.ReadResource<DataFeed>();
        // The architecture pass ran on the architecture batch (bilevel); the others on the training batch.
        var stream = Targets == GradientTargets.Arch && feed.Val is { } val ? val : feed.Train;
        Tensor?[] grads = Targets switch
        {
            GradientTargets.Weights => GradientComponents.Weights(world, write: true),
            GradientTargets.Arch => GradientComponents.Arch(world, write: true),
            _ => [.. GradientComponents.Weights(world, write: true), .. GradientComponents.Arch(world, write: true)],
        };
        Average(parallel.Group, grads, stream);
    }

    /// <summary>The weighted average of <paramref name="grads"/> over the ranks, in place (null entries skipped alike on every rank).</summary>
    public static void Average(ProcessGroup group, Tensor?[] grads, IBatchStream stream)
    {
        var global = stream.LastGlobalSize;
        var (start, end) = BatchStream.ShardBounds(global, group.Rank, group.WorldSize);
        var weight = (double)(end - start) * group.WorldSize / global;
        if (weight != 1)
            foreach (var g in grads) g?.MulInPlace(weight);
        group.AllReduce(grads, ReduceMode.Average);
    }
}

/// <summary>
/// Every <see cref="DataParallel.CheckEvery"/> steps: the ranks compare a SHA-256 digest of their weights and alpha/beta
/// (bit for bit) and all stop with <see cref="RankDivergenceException"/> naming the ranks that differ from rank 0.
/// BatchNorm running statistics are left out: they stay per rank, as in PyTorch DDP.
/// </summary>
public sealed class AgreementCheckSystem(Func<World.World, IEnumerable<Tensor>>? tensors = null) : ISystem
{
    private readonly Func<World.World, IEnumerable<Tensor>> _tensors = tensors ?? Differentiable;

    public string Name => "check-rank-agreement";
    // A differentiable search's tensors are SupernetRuntime's; a one-shot supernet's are SupernetTensors' (OneShotSession.Agreed),
    // reached through OneShotSupernet, which finds the network and op entities by querying OneShotNetwork and ChoiceOp.
    public Access Access { get; } = new Access().Read<DataParallel>().Read<SupernetRuntime>().Read<Weights>().Read<Alpha>().Read<Beta>()
        .Read<SupernetTensors>().Read<OneShotNetwork>().Read<ChoiceOp>().Read<SearchClock>();

    public void Run(World.World world, in SystemContext ctx) =>
        Agreement.Check(world.ReadResource<DataParallel>().Group, _tensors(world), world.ReadResource<SearchClock>().Step);

    /// <summary>A differentiable search's weights, then alpha and beta.</summary>
    public static IEnumerable<Tensor> Differentiable(World.World world)
    {
        var net = world.ReadResource<SupernetRuntime>();
        return [.. net.Weights(world), .. net.Arch(world)];
    }
}

/// <summary>The digest the ranks compare, and the comparison (one broadcast and one all-reduce).</summary>
public static class Agreement
{
    /// <summary>SHA-256 over the raw float bits of <paramref name="tensors"/> in order, as hex.</summary>
    public static string Digest(IEnumerable<Tensor> tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in tensors)
        {
            var values = t.ToFloatArray();
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Compares this rank's digest of <paramref name="tensors"/> with rank 0's; every rank learns which ranks differ and
    /// throws the same <see cref="RankDivergenceException"/>. Returns the digest when all agree.
    /// </summary>
    public static string Check(ProcessGroup group, IEnumerable<Tensor> tensors, long step)
    {
        var digest = Digest(tensors);
        var bytes = Convert.FromHexString(digest);
        var words = new long[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, words, 0, bytes.Length);
        using var root = Tensor.FromSpan(words, [words.Length]);
        group.Broadcast(root, 0);
        var rootWords = root.ToLongArray();
        var flags = new float[group.WorldSize];
        flags[group.Rank] = rootWords.AsSpan().SequenceEqual(words) ? 0 : 1;
        using var votes = Tensor.FromSpan(flags, [flags.Length]);
        group.AllReduce([votes], ReduceMode.Sum);
        var differ = votes.ToFloatArray().Select((v, r) => (v, r)).Where(x => x.v != 0).Select(x => x.r).ToArray();
        if (differ.Length > 0)
        {
            var rootBytes = new byte[bytes.Length];
            Buffer.BlockCopy(rootWords, 0, rootBytes, 0, rootBytes.Length);
            throw new RankDivergenceException($"rank(s) {string.Join(", ", differ)} hold weights/alpha that differ from rank 0's at step {step} " +
                $"(rank 0's digest {Convert.ToHexStringLower(rootBytes)[..16]}, rank {group.Rank}'s {digest[..16]}): the ranks no longer run one search");
        }
        return digest;
    }
}
