// The train-from-scratch loop (§1.7, §4.3 for the BCNN): SGD with momentum and coupled weight decay, cosine lr per epoch, grad clip, drop-path ramp, auxiliary loss.
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Train;

/// <summary>
/// Owns the network, the momentum buffers and the generators of one run; disposing frees every tensor.
/// A step reads top to bottom as DARTS's `cnn/train.py`: forward, CE (+ w·CE aux), backward, clip 5, SGD.
/// </summary>
public sealed class Trainer : IDisposable
{
    // Distinct sub-seeds keep initialisation, drop-path masks and the data order independent of each other.
    private const ulong InitTag = 1, DropPathTag = 2, DataTag = 3;

    private readonly Tensor[] _parameters;
    private readonly Tensor[] _buffers;
    private readonly Generator _dropPath;
    private readonly Dataset _test;
    private long _steps;

    public TrainConfig Config { get; }
    /// <summary>The stacked evaluation network (§1.7) or the BCNN's (§4.3), as <see cref="TrainConfig.Space"/> says.</summary>
    public IEvalNetwork Network { get; }
    public EvalNetworkSpec Spec { get; }
    public BatchStream Train { get; }

    public Trainer(TrainConfig config, Genotype genotype, Dataset train, Dataset test)
    {
        if (train.Height != train.Width) throw new ArgumentException($"{train.Name}: only square images are supported, got {train.Height}x{train.Width}");
        Config = config;
        _test = test;
        Spec = new EvalNetworkSpec(config.Space, config.Layers, config.Channels, config.EnhancementCells, train.Channels, train.Height, train.Classes);
        Spec.Check(genotype);
        using (var g = new Generator(SplitMix64.Mix(config.Seed ^ InitTag)))
            Network = Spec.Create(genotype, g, config.Auxiliary);
        _parameters = Network.Parameters();
        _buffers = Sgd.NewState(_parameters);
        _dropPath = new Generator(SplitMix64.Mix(config.Seed ^ DropPathTag));
        var augmentation = config.Cutout ? Augmentation.ForTraining(train.Height) : Augmentation.ForSearch(train.Height);
        Train = new BatchStream(train, IndexRange.All(train), config.Batch, SplitMix64.Mix(config.Seed ^ DataTag), augmentation);
    }

    public int StepsPerEpoch => Train.StepsPerEpoch;

    /// <summary>One epoch of training then a full pass over the test set. <paramref name="onStep"/> gets (step in epoch, running loss, running accuracy).</summary>
    public EpochResult RunEpoch(int epoch, Action<int, double, double>? onStep = null)
    {
        var (lr, dropPath, trainLoss, trainAcc) = TrainEpoch(epoch, onStep);
        var (testLoss, testAcc) = Evaluate(_test);
        return new EpochResult(epoch, lr, dropPath, trainLoss, trainAcc, testLoss, testAcc);
    }

    /// <summary>One epoch of training without the test pass (a caller that only wants the last epoch's test accuracy saves the passes between).</summary>
    public (double Lr, double DropPath, double TrainLoss, double TrainAcc) TrainEpoch(int epoch, Action<int, double, double>? onStep = null)
    {
        var lr = LearningRate.Cosine(Config.Lr, 0, epoch, Config.Epochs);
        var dropPath = DropPath.Probability(Config.DropPath, epoch, Config.Epochs);
        double lossSum = 0, correct = 0;
        long seen = 0;
        for (var i = 0; i < StepsPerEpoch; i++)
        {
            var (loss, hits, n) = Step(lr, dropPath);
            lossSum += loss * n;
            correct += hits;
            seen += n;
            onStep?.Invoke(i + 1, lossSum / seen, correct / seen);
        }
        return (lr, dropPath, lossSum / seen, correct / seen);
    }

    /// <summary>One SGD step on the next training batch; returns (mean main-head loss, correct predictions, batch size).</summary>
    public (double Loss, long Correct, int Size) Step(double lr, double dropPath)
    {
        using var scope = new TensorScope();
        var batch = Train.Next(scope);
        var x = Input(batch.Images, scope);
        var (logits, aux) = Network.Forward(x, training: true, scope, dropPath, _dropPath, Config.Kernels);
        var main = scope.Own(logits.CrossEntropy(batch.Labels));
        var loss = main;
        if (aux is not null)
        {
            var auxLoss = scope.Own(aux.CrossEntropy(batch.Labels));
            var weighted = scope.Own(auxLoss.Mul(Config.AuxiliaryWeight));
            loss = scope.Own(main.Add(weighted));
        }
        foreach (var p in _parameters) p.ZeroGrad();
        loss.Backward();
        var grads = new Tensor?[_parameters.Length];
        for (var i = 0; i < grads.Length; i++) grads[i] = _parameters[i].Grad is { } g ? scope.Own(g) : null;
        GradClip.ClipByNorm(grads, Config.GradClip);
        Sgd.Step(_parameters, grads, _buffers, new SgdOptions(lr, Config.Momentum, 0, Config.WeightDecay), firstStep: _steps == 0);
        _steps++;
        return (main.Item(), Correct(logits, batch.Labels, scope), batch.Size);
    }

    /// <summary>Mean loss and accuracy over a whole data set in eval mode (running BN statistics, no drop-path, no head).</summary>
    public (double Loss, double Accuracy) Evaluate(Dataset data)
    {
        var stream = new BatchStream(data, IndexRange.All(data), Config.EvalBatch, 0, Augmentation.None, shuffle: false);
        double lossSum = 0;
        long correct = 0;
        using var noGrad = NoGrad.Enter();
        for (var i = 0; i < stream.StepsPerEpoch; i++)
        {
            using var scope = new TensorScope();
            var batch = stream.Next(scope);
            var (logits, _) = Network.Forward(Input(batch.Images, scope), training: false, scope, mode: Config.Kernels);
            var loss = scope.Own(logits.CrossEntropy(batch.Labels, LossReduction.Sum));
            lossSum += loss.Item();
            correct += Correct(logits, batch.Labels, scope);
        }
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    private Tensor Input(Tensor images, TensorScope scope) => Config.ChannelsLast ? scope.Own(images.ToChannelsLast()) : images;

    private static long Correct(Tensor logits, Tensor labels, TensorScope scope)
    {
        var predicted = scope.Own(logits.Argmax(1));
        var hits = scope.Own(predicted.Eq(labels));
        var asFloat = scope.Own(hits.To(DType.Float32));
        return (long)scope.Own(asFloat.Sum()).Item();
    }

    public void Dispose()
    {
        Network.Dispose();
        foreach (var b in _buffers) b.Dispose();
        _dropPath.Dispose();
    }
}
