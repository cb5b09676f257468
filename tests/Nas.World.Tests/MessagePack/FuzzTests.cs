// Fuzzing: 100,000 mutated documents and 500 mutated world snapshots (each a new world: type registration and tensors make one ~10 ms) never crash, hang or raise anything but the documented errors.
using System.Buffers;
using System.Diagnostics;
using MessagePack;
using Nas.World.Snapshots;
using Nas.World.Tests.Snapshots;

namespace Nas.World.Tests.MessagePack;

public sealed class FuzzTests
{
    private static readonly byte[] LengthMarkers = [0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf];

    [Fact]
    public void HundredThousandMutatedDocumentsRaiseOnlyMalformedInputErrors()
    {
        var random = new Random(424242);
        var values = new RandomValues(seed: 1, maxDepth: 5, maxItems: 5);
        var seeds = Enumerable.Range(0, 500).Select(_ => Codec.Encode(values.Next())).Where(b => b.Length < 4096).ToArray();
        var clock = Stopwatch.StartNew();
        int rejected = 0;
        for (int i = 0; i < 100_000; i++)
        {
            byte[] input = i % 10 == 0 ? values.NextBytes(random.Next(64)) : Mutate(seeds[random.Next(seeds.Length)], random);
            var reader = new MessagePackReader(input);
            try
            {
                for (int n = 0; n < 3 && !reader.End; n++)
                {
                    if (i % 2 == 0) SnapshotValues.Read(ref reader); else SnapshotValues.Skip(ref reader);
                }
            }
            catch (Exception e) when (SnapshotFile.IsMalformed(e))
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"input {i} ({Codec.Hex(input)}) raised {e.GetType()}: {e.Message}");
            }
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"fuzzing took {clock.Elapsed}");
        Assert.InRange(rejected, 10_000, 100_000); // most mutations must actually break something
    }

    [Fact]
    public void FiveHundredMutatedWorldSnapshotsGiveOneLineSnapshotErrorsNamingTheFile()
    {
        string folder = Directory.CreateTempSubdirectory("nas-fuzz-world-").FullName;
        try
        {
            string path = Path.Combine(folder, "world.msgpack");
            using (var world = WorldSnapshotTests.RandomWorld(1))
                WorldSnapshot.Write(path, world, 3);
            byte[] original = File.ReadAllBytes(path);
            var body = original[..^12]; // the parser's input: the file without its CRC trailer
            var random = new Random(777);
            var clock = Stopwatch.StartNew();
            int rejected = 0, loaded = 0;
            for (int i = 0; i < 500; i++)
            {
                byte[] input = Mutate(body, random);
                try
                {
                    var snapshot = SnapshotFile.Parse(path, new ReadOnlySequence<byte>(input), 1,
                        (ref MessagePackReader r, SnapshotHeader h) => WorldSnapshot.ReadBody(ref r, h, path, WorldSnapshotTests.Register));
                    snapshot.Body.Dispose();
                    loaded++;
                }
                catch (SnapshotException e)
                {
                    Assert.StartsWith($"snapshot {path}: ", e.Message);
                    Assert.DoesNotContain('\n', e.Message);
                    rejected++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"mutation {i} raised {e.GetType()}: {e.Message}");
                }
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"fuzzing took {clock.Elapsed}");
            Assert.InRange(rejected, 100, 500);
            Assert.Equal(500, rejected + loaded);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] Mutate(byte[] document, Random random)
    {
        var bytes = new List<byte>(document);
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    var inserted = new byte[1 + random.Next(8)];
                    random.NextBytes(inserted);
                    bytes.InsertRange(at, inserted);
                    break;
                case 3:
                    // Length inflation: a length-carrying marker followed by large length bytes.
                    bytes[at] = LengthMarkers[random.Next(LengthMarkers.Length)];
                    for (int k = 1; k <= 4 && at + k < bytes.Count; k++)
                        bytes[at + k] = (byte)(random.Next(2) == 0 ? 0xff : random.Next(256));
                    break;
                default:
                    bytes[at] = (byte)random.Next(256);
                    break;
            }
        }
        return bytes.ToArray();
    }
}
