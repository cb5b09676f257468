// The run's named random streams (world.Rng(name)), how each is seeded from the run seed, and the generator resources of older snapshots.
using Nas.World;

namespace Nas.Components;

public static class RandomStreams
{
    /// <summary>
    /// One-shot single-path sampling and BS-NAS shrinking. Seeded with the run seed itself, as the run's one generator
    /// ("nas.rng") was before streams had names, so runs reproduce bit for bit.
    /// </summary>
    public const string Path = "path";

    /// <summary>DropNAS masks (§5.3): stream "DROP" of the run seed, as the mask generator ("nas.dropnas.rng") was.</summary>
    public const string Drop = "drop";

    /// <summary>
    /// The evolutionary search of SPOS, BN-NAS, BNNAS++ and BS-NAS (population, mutation, crossover draws): stream
    /// "EVOLVE" of the run seed. Before it, the evolution kept its own SplitMix64 word in its state; a world resumed from
    /// such a snapshot goes on with that word (<see cref="LegacyEvolutionRng"/>) and has no "evolve" stream.
    /// </summary>
    public const string Evolve = "evolve";

    /// <summary>The stream <paramref name="name"/> at its start for a run seeded with <paramref name="seed"/>.</summary>
    public static Rng Start(string name, ulong seed) => name == Path ? new Rng(seed) : Rng.ForStream(seed, name);

    /// <summary>Opens the stream <paramref name="name"/> of a new run on <paramref name="world"/>.</summary>
    public static void Open(World.World world, string name, ulong seed) => world.SetRng(name, Start(name, seed));

    /// <summary>
    /// A snapshot made before the named streams holds each generator as a resource of its own: "nas.rng" (the path
    /// stream) and "nas.dropnas.rng" (the drop stream). Moves their states into the streams and removes them, so the
    /// resumed run draws exactly what the old one would have.
    /// </summary>
    public static void AdoptLegacy(World.World world)
    {
        if (world.TryResource<LegacyPathRng>(out var path))
        {
            world.SetRng(Path, Rng.FromState(path.State));
            world.RemoveResource<LegacyPathRng>();
        }
        if (world.TryResource<LegacyDropRng>(out var drop))
        {
            world.SetRng(Drop, Rng.FromState([drop.S0, drop.S1, drop.S2, drop.S3]));
            world.RemoveResource<LegacyDropRng>();
        }
    }
}

/// <summary>Read only: the one-shot generator of snapshots made before named streams; becomes the <see cref="RandomStreams.Path"/> stream.</summary>
[Resource("nas.rng", 1)]
public sealed record LegacyPathRng([SnapshotKey("state")] ulong[] State);

/// <summary>Read only: the DropNAS mask generator of snapshots made before named streams; becomes the <see cref="RandomStreams.Drop"/> stream.</summary>
[Resource("nas.dropnas.rng", 1)]
public sealed record LegacyDropRng([SnapshotKey("S0")] ulong S0, [SnapshotKey("S1")] ulong S1, [SnapshotKey("S2")] ulong S2, [SnapshotKey("S3")] ulong S3);
