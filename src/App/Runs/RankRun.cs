// One rank of a data-parallel search or resume: joins the world, agrees with rank 0 on the run folder and snapshot, steps in lockstep, and reports its final state.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nas.App.Commands;
using Nas.App.Config;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World.Snapshots;

namespace Nas.App.Runs;

/// <summary>
/// Rank 0 owns the run folder (lock, config, logs, snapshots, result) exactly as a single-process run; the other ranks
/// write nothing and send what rank 0 records (snapshot state, final digest and genotype) through the store. Every
/// decision that changes the step sequence (stop, snapshot) is taken together: a stop request on any rank is all-reduced
/// before each step, snapshots fall on the same steps everywhere.
/// </summary>
public static class RankRun
{
    /// <summary>Test hook: with NAS_HOLD_AFTER_SNAPSHOT, only this rank holds (the others go on and wait for it in the next collective).</summary>
    public const string HoldRankVariable = "NAS_HOLD_RANK";

    /// <summary>What drives a rank once its session is ready: the CLI's lockstep loop, or the daemon (serve).</summary>
    public delegate int Driver(RankContext rank);

    public static int Search(SearchConfig config, string outPath, bool moveAside, WorldSpec spec, string who, Driver? drive = null)
    {
        var joined = Join(spec, who);
        if (joined is not var (store, group)) return ExitCodes.Failed;
        using (store)
        using (group)
        {
            RunFolder? folder = null;
            if (Agree(store, "nas/folder", spec, who, () =>
                {
                    folder = RunFolder.CreateNew(outPath, "--out", moveAside);
                    return folder.Path;
                }, out _) is { } code) return code;
            using (folder)
            {
                ISearchSession session;
                try
                {
                    Torch.Torch.Threads = config.Threads;
                    var train = DatasetSource.Parse(config.Dataset).LoadTrain(config.Subset > 0 ? config.Subset : null);
                    session = Sessions.Create(config, train);
                }
                catch (Exception e) when (e is DatasetException or ArgumentException or NotSupportedException)
                {
                    Console.Error.WriteLine($"{who}: rank {spec.Rank}: {e.Message}");
                    folder?.Abandon();
                    return ExitCodes.BadInput;
                }
                return Continue(session, folder, store, group, spec, who, resumedFrom: -1, config, drive ?? Drive);
            }
        }
    }

    public static int Resume(string path, long? steps, long? every, WorldSpec spec, string who, Driver? drive = null)
    {
        var joined = Join(spec, who);
        if (joined is not var (store, group)) return ExitCodes.Failed;
        using (store)
        using (group)
        {
            RunFolder? folder = null;
            if (Agree(store, "nas/resume", spec, who, () =>
                {
                    folder = RunFolder.OpenExisting(path);
                    try
                    {
                        var found = new SnapshotStore(folder.Snapshots, keep: int.MaxValue);
                        var loaded = Directory.Exists(folder.Snapshots) ? SearchSnapshot.LoadNewestValid(found, out _) : null;
                        if (loaded is null)
                            throw new RunFolderException($"no valid snapshot in {folder.Snapshots}", ExitCodes.NoSnapshot);
                        var made = loaded.Body.TryResource<DataParallelRecord>(out var rec) ? rec.WorldSize : 1;
                        SearchSnapshot.DisposeWorld(loaded.Body);
                        if (made != spec.WorldSize)
                            throw new RunFolderException($"{loaded.Path} was made by a run of {made} rank(s): resume it with " +
                                (made == 1 ? "`nas resume` without --nproc" : $"--nproc {made} (or a world of {made})"), ExitCodes.BadInput);
                        return loaded.Path;
                    }
                    catch
                    {
                        folder.Dispose();
                        throw;
                    }
                }, out var snapshotPath) is { } code) return code;
            using (folder)
            {
                var loaded = SearchSnapshot.Read(snapshotPath);
                var world = loaded.Body;
                // Each rank continues from its own data positions and generator state.
                var mine = world.Resource<DataParallelRecord>().Ranks[spec.Rank];
                world.SetResource(mine.Positions);
                world.SetResource(new TorchRngState(mine.TorchRng));
                ISearchSession session;
                try
                {
                    session = SearchSnapshot.Resume(world, config =>
                    {
                        Torch.Torch.Threads = Math.Min(config.Threads, InputChecks.MaxThreads);
                        return DatasetSource.Parse(config.Dataset).LoadTrain(config.Subset > 0 ? config.Subset : null);
                    }, config => config with { Steps = steps ?? config.Steps, SnapshotEvery = every ?? config.SnapshotEvery });
                }
                catch (Exception e) when (e is DatasetException or ArgumentException or NotSupportedException or InvalidOperationException)
                {
                    Console.Error.WriteLine($"{who}: rank {spec.Rank}: {snapshotPath}: {e.Message}");
                    return ExitCodes.BadInput;
                }
                if (spec.Rank == 0) Console.Error.WriteLine($"{who}: resumed {session.Config.Method} from {snapshotPath} at step {loaded.Header.Step} on {spec.WorldSize} ranks");
                return Continue(session, folder, store, group, spec, who, loaded.Header.Step, session.Config, drive ?? Drive);
            }
        }
    }

    /// <summary>The store and group of this rank, or null (one line printed) when the world cannot be joined.</summary>
    private static (DistributedStore, ProcessGroup)? Join(WorldSpec spec, string who)
    {
        DistributedStore? store = null;
        try
        {
            store = spec.StoreFile is { } file
                ? DistributedStore.File(file, spec.WorldSize, spec.Timeout)
                : DistributedStore.Tcp(spec.MasterAddr, spec.MasterPort, isServer: spec.Rank == 0, spec.WorldSize, spec.Timeout);
            // Gloo binds the address this machine uses to reach the others: loopback for a local world.
            var host = spec.StoreFile is not null || IsLoopback(spec.MasterAddr) ? "127.0.0.1" : Environment.GetEnvironmentVariable("NAS_GLOO_HOST") ?? "";
            return (store, new ProcessGroup(store, spec.Rank, spec.WorldSize, spec.Timeout, host));
        }
        catch (TorchException e)
        {
            store?.Dispose();
            var at = spec.StoreFile ?? $"{spec.MasterAddr}:{spec.MasterPort}";
            Console.Error.WriteLine($"{who}: rank {spec.Rank}: could not join the world of {spec.WorldSize} at {at}: {OneLine(e.Message)}");
            return null;
        }
    }

    private static bool IsLoopback(string addr) => addr is "127.0.0.1" or "localhost" or "::1";

    /// <summary>A non-zero rank's reading of rank 0's "CODE:TEXT" answer: null when rank 0 went ahead, else the code to exit with.</summary>
    /// <summary>
    /// Rank 0 runs <paramref name="onRankZero"/> (a run-folder step that may refuse with a <see cref="RunFolderException"/>)
    /// and posts its outcome under <paramref name="key"/>; the other ranks wait for it. Null and the posted answer when the
    /// run goes on; the exit code (one line printed on each rank) when rank 0 refused.
    /// </summary>
    private static int? Agree(DistributedStore store, string key, WorldSpec spec, string who, Func<string> onRankZero, out string answer)
    {
        if (spec.Rank == 0)
        {
            try { answer = onRankZero(); }
            catch (RunFolderException e)
            {
                Console.Error.WriteLine($"{who}: {e.Message}");
                store.Set(key, $"{e.ExitCode}:{e.Message}");
                answer = "";
                return e.ExitCode;
            }
            store.Set(key, "0:" + answer);
            return null;
        }
        var posted = store.GetString(key);
        answer = posted[(posted.IndexOf(':') + 1)..];
        return Refused(posted, who, spec);
    }

    private static int? Refused(string answer, string who, WorldSpec spec)
    {
        var code = int.Parse(answer[..answer.IndexOf(':')], CultureInfo.InvariantCulture);
        if (code == 0) return null;
        Console.Error.WriteLine($"{who}: rank {spec.Rank}: rank 0 refused the run: {answer[(answer.IndexOf(':') + 1)..]}");
        return code;
    }

    private static int Continue(ISearchSession single, RunFolder? folder, DistributedStore store, ProcessGroup group, WorldSpec spec, string who,
        long resumedFrom, SearchConfig config, Driver drive)
    {
        ISearchSession session;
        var parallel = new DataParallel(group, spec.CheckEvery, store);
        try { session = single.InParallel(parallel); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            single.Dispose();
            Console.Error.WriteLine($"{who}: rank {spec.Rank}: {e.Message}");
            folder?.Abandon();
            return ExitCodes.BadInput;
        }
        SearchRun? run = null;
        try
        {
            if (folder is not null)
            {
                run = new SearchRun(session, folder);
                if (resumedFrom >= 0) run.ResumedFrom(resumedFrom);
                folder.WriteConfig(config);
                File.WriteAllText(folder.File("distributed.json"), JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["world_size"] = spec.WorldSize, ["check_every"] = spec.CheckEvery, ["timeout_seconds"] = spec.Timeout.TotalSeconds,
                }) + "\n");
                Console.Error.WriteLine($"{who}: {config.Method} on {spec.WorldSize} ranks, global batch {config.Batch} ({config.Batch / spec.WorldSize}+ per rank); run folder {folder.Path}");
            }
            return drive(new RankContext(session, run, parallel, spec, who) { LastSnapshot = resumedFrom });
        }
        finally
        {
            if (run is not null) run.Dispose();
            else session.Dispose();
        }
    }

    private static int Drive(RankContext rank)
    {
        var (session, run, parallel, spec, who) = (rank.Session, rank.Run, rank.Parallel, rank.Spec, rank.Who);
        var lastSnapshot = rank.LastSnapshot;
        var stop = false;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop = true; };
        Console.CancelKeyPress += onCancel;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop = true; });
        var group = parallel.Group;
        try
        {
            var every = session.Config.SnapshotEvery;
            var progress = spec.Rank == 0 && run is not null ? new Progress(session.Config.Method, run.TotalSteps) : null;
            while (true)
            {
                // One tiny collective a step: a stop asked of any rank (Ctrl+C, SIGTERM) stops all of them after the same step.
                using (var flags = Tensor.FromSpan([stop ? 1f : 0f], [1]))
                {
                    group.AllReduce([flags], ReduceMode.Sum);
                    if (flags.ToFloatArray()[0] > 0 || session.Finished) break;
                }
                if (run is not null) run.Step();
                else session.Step();
                progress?.Report(session.Clock.Step, run!.SummaryFields());
                if (every > 0 && session.Clock.Step % every == 0) lastSnapshot = Snapshot(rank);
            }
            progress?.Dispose();
            var digest = Agreement.Check(group, session.AgreedTensors(), session.Clock.Step);
            if (lastSnapshot != session.Clock.Step) Snapshot(rank);
            Finish(rank, digest);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is TorchException or RankDivergenceException)
        {
            Console.Error.WriteLine($"{who}: rank {spec.Rank}: stopped at step {session.Clock.Step}: {OneLine(e.Message)}" +
                (run is not null && run.LastSnapshotStep >= 0 ? $" (`nas resume {run.Folder.Path} --nproc {spec.WorldSize}` continues from step {run.LastSnapshotStep})" : ""));
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{who}: rank {spec.Rank}: stopped at step {session.Clock.Step}: {e.Message}");
            return ExitCodes.IoError;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Every rank hands rank 0 its data positions and generator state; rank 0 writes the world with them.</summary>
    public static long Snapshot(RankContext rank) => Snapshot(rank, out _);

    /// <inheritdoc cref="Snapshot(RankContext)"/>
    public static long Snapshot(RankContext rank, out string? path)
    {
        var (session, run, parallel, spec) = (rank.Session, rank.Run, rank.Parallel, rank.Spec);
        path = null;
        session.CaptureRuntimeState();
        var step = session.Clock.Step;
        var mine = new RankState(session.World.Resource<StreamPositions>(), session.World.Resource<TorchRngState>().State);
        var record = DataParallelRecord.Gather(parallel, $"nas/snapshot/{step}", mine);
        if (record is not null && run is not null)
        {
            session.World.SetResource(record);
            path = run.Snapshot();
            Console.WriteLine($"snapshot step {step}: {path}");
            Console.Out.Flush();
        }
        HoldIfAsked(step, spec.Rank);
        rank.LastSnapshot = step;
        return step;
    }

    /// <summary>Rank 0 writes the result and ranks/rank-K.json for every rank (each rank's digests and genotype come through the store).</summary>
    public static void Finish(RankContext rank, string digest)
    {
        var (session, run, parallel, spec) = (rank.Session, rank.Run, rank.Parallel, rank.Spec);
        var (text, _) = session.Result();
        var alpha = session is SearchSession s ? Agreement.Digest(s.Runtime.Arch(s.World)) : null;
        var mine = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["rank"] = spec.Rank, ["world_size"] = spec.WorldSize, ["step"] = session.Clock.Step,
            ["alpha_digest"] = alpha, ["parameters_digest"] = digest, ["genotype"] = text.TrimEnd('\n'),
            // What this process sent through collectives (gradients, stop flags, checks, scores) since it joined.
            ["all_reduced_bytes"] = parallel.Group.AllReducedBytes, ["collectives"] = parallel.Group.Calls,
        }, Plain);
        var store = parallel.Store!;
        store.Set($"nas/final/rank-{spec.Rank}", mine);
        if (run is null) return;
        var ranks = Directory.CreateDirectory(run.Folder.File("ranks")).FullName;
        for (var r = 0; r < spec.WorldSize; r++)
            File.WriteAllText(Path.Combine(ranks, $"rank-{r}.json"), (r == 0 ? mine : store.GetString($"nas/final/rank-{r}")) + "\n");
        var (resultText, json) = session.Result();
        run.Folder.WriteResult(resultText, json); // the top-level genotype is rank 0's
        Console.WriteLine(resultText);
        Console.WriteLine($"run folder: {run.Folder.Path}");
    }

    private static void HoldIfAsked(long step, int rank)
    {
        if (Environment.GetEnvironmentVariable(InputChecks.HoldVariable) is not { } hold || long.Parse(hold, CultureInfo.InvariantCulture) != step) return;
        if (Environment.GetEnvironmentVariable(HoldRankVariable) is { } only && only != $"{rank}") return;
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }

    private static readonly JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>One rank, ready to step: its session (already data-parallel), rank 0's run over the folder, the group and store.</summary>
public sealed record RankContext(ISearchSession Session, SearchRun? Run, DataParallel Parallel, WorldSpec Spec, string Who)
{
    /// <summary>The step of the last snapshot written (or resumed from); -1 when none.</summary>
    public long LastSnapshot { get; set; } = -1;
}
