// `nas serve` on N ranks: rank 0 runs the daemon (HTTP, metrics, control) and announces each action; the other ranks follow them in order.
using Nas.App.Runs;
using Nas.Systems.Search;
using Nas.Torch;

namespace Nas.App.Serve;

/// <summary>
/// Rank 0's run under the daemon. Every action the daemon takes that the other ranks must share — a step, a snapshot, the
/// end — is first announced through the store as the next entry of a numbered list ("nas/ctl/0", "nas/ctl/1", ...), then
/// done together with them. Pausing announces nothing: the followers simply wait for the next entry, so pause, snapshot
/// and stop asked of rank 0's endpoints reach every rank.
/// </summary>
public sealed class LeaderRun(RankContext rank) : IRunLoop
{
    private readonly SearchRun _run = rank.Run ?? throw new ArgumentException("the leader is rank 0, which owns the run folder");
    private long _sequence;
    private bool _ended;

    public RunStatus Status => _run.Status;

    public bool Step()
    {
        if (rank.Session.Finished) return false;
        Announce(ParallelServe.StepWord);
        return _run.Step();
    }

    public string Snapshot()
    {
        Announce(ParallelServe.SnapshotWord);
        RankRun.Snapshot(rank, out var path);
        return path!;
    }

    private void Announce(string word) => rank.Parallel.Store!.Set($"{ParallelServe.Prefix}{_sequence++}", word);

    /// <summary>Ends the run on every rank: the final agreement check and ranks/rank-K.json. The run itself is freed by its owner (RankRun).</summary>
    public void Dispose()
    {
        try
        {
            if (!_ended)
            {
                _ended = true;
                Announce(ParallelServe.EndWord);
                RankRun.Finish(rank, Agreement.Check(rank.Parallel.Group, rank.Session.AgreedTensors(), rank.Session.Clock.Step));
            }
        }
        catch (Exception e) when (e is TorchException or RankDivergenceException)
        {
            Console.Error.WriteLine($"{rank.Who}: rank 0: the run's end could not be agreed: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}

public static class ParallelServe
{
    internal const string Prefix = "nas/ctl/";
    internal const string StepWord = "step";
    internal const string SnapshotWord = "snapshot";
    internal const string EndWord = "end";

    /// <summary>
    /// A rank other than 0 under `nas serve`: does what rank 0 announces, in order, until the end. SIGTERM and Ctrl+C are
    /// left to rank 0's daemon (which announces the end). Waiting has no limit while rank 0's store answers (a paused run
    /// waits as long as it is paused); when the store stops answering, rank 0 is gone and this rank fails.
    /// </summary>
    public static int Follow(RankContext rank)
    {
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => c.Cancel = true);
        ConsoleCancelEventHandler onCancel = (_, e) => e.Cancel = true;
        Console.CancelKeyPress += onCancel;
        var store = rank.Parallel.Store!;
        try
        {
            for (long sequence = 0; ; sequence++)
            {
                switch (Next(store, $"{Prefix}{sequence}"))
                {
                    case StepWord:
                        rank.Session.Step();
                        break;
                    case SnapshotWord:
                        RankRun.Snapshot(rank);
                        break;
                    case EndWord:
                        RankRun.Finish(rank, Agreement.Check(rank.Parallel.Group, rank.Session.AgreedTensors(), rank.Session.Clock.Step));
                        return ExitCodes.Ok;
                    case var other:
                        throw new InvalidOperationException($"rank 0 announced '{other}', which this rank does not know");
                }
            }
        }
        catch (Exception e) when (e is TorchException or RankDivergenceException)
        {
            Console.Error.WriteLine($"{rank.Who}: rank {rank.Spec.Rank}: stopped at step {rank.Session.Clock.Step}: {e.Message.ReplaceLineEndings(" ").Trim()}");
            return ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The announcement at <paramref name="key"/>; a get that times out is retried while the store still answers.</summary>
    private static string Next(DistributedStore store, string key)
    {
        while (true)
        {
            try { return store.GetString(key); }
            catch (TorchException)
            {
                store.Add("nas/alive", 0); // throws when rank 0's store is gone: then the run is over for this rank too
            }
        }
    }
}
