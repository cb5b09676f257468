// A run loop for tests: steps cost nothing, snapshots are small files, every call records its thread.
using System.Collections.Concurrent;
using Nas.App.Metrics;
using Nas.App.Serve;

namespace Nas.App.Tests.Serve;

internal sealed class FakeRunLoop(string snapshotFolder, NasMetrics metrics, long maxSteps = long.MaxValue) : IRunLoop
{
    private long _step;

    /// <summary>Managed thread ids of every call, and whether any came from the thread pool.</summary>
    public ConcurrentDictionary<int, bool> Threads { get; } = new();

    /// <summary>The step of each snapshot written, in order.</summary>
    public ConcurrentQueue<long> Snapshots { get; } = new();

    /// <summary>Runs inside each step (after the counter moved); tests use it to block or fail a step.</summary>
    public Action<long>? OnStep { get; init; }

    public volatile bool FailSnapshots;

    public volatile bool Disposed;

    public RunStatus Status
    {
        get
        {
            Touch();
            return new RunStatus("fake", _step, _step / 1000)
            {
                TotalSteps = maxSteps == long.MaxValue ? null : maxSteps,
                TrainLoss = 1.0 / (1 + _step),
                TrainAccuracy = 0.5,
                Genotype = "Genotype(normal=[('skip_connect', 0)], normal_concat=range(2, 3), reduce=[], reduce_concat=range(2, 3))",
            };
        }
    }

    public bool Step()
    {
        Touch();
        if (_step >= maxSteps) return false;
        _step++;
        if (_step % 100 == 1)
            metrics.SetAlphaProbabilities([new("normal", 0, "skip_connect", 0.75), new("normal", 0, "none", 0.25)]);
        OnStep?.Invoke(_step);
        Thread.Yield(); // two shared cores: let the HTTP side in
        return true;
    }

    public string Snapshot()
    {
        Touch();
        if (FailSnapshots) throw new IOException("disk full (fake)");
        var path = Path.Combine(snapshotFolder, $"step-{_step:D9}.msgpack");
        File.WriteAllBytes(path, new byte[64]);
        Snapshots.Enqueue(_step);
        return path;
    }

    public void Dispose()
    {
        Touch();
        Disposed = true;
    }

    private void Touch() => Threads[Environment.CurrentManagedThreadId] = Thread.CurrentThread.IsThreadPoolThread;
}
