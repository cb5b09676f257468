// `nas inspect SNAPSHOT`: a readable summary of one snapshot (method, step, entities by component, tensors, one-shot phase, genotype, checksum).
using System.CommandLine;
using System.Globalization;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Search;
using Nas.Systems.Search;
using Nas.World.Snapshots;

namespace Nas.App.Commands;

public static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("SNAPSHOT") { Description = "a snapshot file (RUN_DIR/snapshots/step-*.msgpack)" };
        var command = new Command("inspect", "summarise one snapshot") { file };
        command.SetAction(r => Run(r.GetValue(file)!.FullName, Console.Out));
        return command;
    }

    /// <summary>Where a one-shot run was: supernet training, or the evolution's generation and evaluations so far; null for other methods.</summary>
    private static string? OneShotPhase(Nas.World.World world)
    {
        if (!world.TryResource<RunConfig>(out var run) || !OneShotMethod.IsOneShot(run.Config.Method)) return null;
        var c = run.Config;
        if (world.TryResource<EvolutionState>(out var s))
            return $"evolution, generation {s.Generation} of {c.Generations}, {s.Evaluated.Length} architectures evaluated";
        var clock = world.Resource<SearchClock>();
        return clock.Epoch < c.Epochs ? $"supernet training, epoch {clock.Epoch + 1} of {c.Epochs}"
            : c.Epochs == 0 ? "no supernet training (epochs 0), evolution not started" : "supernet trained, evolution not started";
    }

    /// <summary>Prints the summary; a damaged or unreadable file gives one line on stderr and exit code 1.</summary>
    internal static int Run(string path, TextWriter output)
    {
        try
        {
            SnapshotFile.Verify(path);
            var loaded = SearchSnapshot.Read(path);
            using var world = loaded.Body;
            var h = loaded.Header;
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine($"snapshot   {path} ({new FileInfo(path).Length.ToString("N0", inv)} bytes, format v{h.Version})");
            output.WriteLine("checksum   ok (crc32c over the file matches)");
            output.WriteLine($"method     {(h.Fields.TryGetValue("method", out var m) ? m : "?")}");
            output.WriteLine($"step       {h.Step}" + (h.Fields.TryGetValue("epoch", out var ep) ? $" (epoch {ep})" : ""));
            output.WriteLine($"created    {h.Created.ToString("u", inv)}");
            output.WriteLine($"entities   {world.Count}");
            var counts = world.Entities().SelectMany(e => world.ComponentsOf(e)).GroupBy(c => c.Type.Name ?? c.Type.Type.Name)
                .OrderBy(g => g.Key, StringComparer.Ordinal);
            foreach (var g in counts) output.WriteLine($"  {g.Key,-22} {g.Count()}");
            var tensors = world.Tensors.All();
            output.WriteLine($"tensors    {tensors.Count} ({world.Tensors.TotalBytes.ToString("N0", inv)} bytes; {tensors.Count(t => t.Tensor.RequiresGrad)} trainable)");
            output.WriteLine("resources  " + string.Join(", ", world.AllResources().Where(x => x.Type.IsNamed).Select(x => x.Type.Name)));
            string genotype;
            try { genotype = SearchSnapshot.ResultText(world).ReplaceLineEndings("\n           "); }
            catch (Exception e) when (e is not OutOfMemoryException) { genotype = $"not derivable ({e.Message})"; }
            if (OneShotPhase(world) is { } phase) output.WriteLine($"phase      {phase}");
            output.WriteLine($"genotype   {genotype}");
            return 0;
        }
        catch (SnapshotException e)
        {
            Console.Error.WriteLine($"nas inspect: {e.Message}");
            return 1;
        }
    }
}
