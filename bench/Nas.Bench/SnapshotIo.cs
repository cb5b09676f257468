// Benchmark "snapshot-io": snapshot write/read throughput for ~100 MB of bin payload versus a plain fsync'd FileStream write.
using System.Diagnostics;
using System.Globalization;
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.Bench;

public static class SnapshotIo
{
    public static int Run(string[] args)
    {
        int megabytes = IntOption(args, "--mb", 100);
        int tensors = IntOption(args, "--tensors", 10);
        int runs = IntOption(args, "--runs", 5);
        int warmup = IntOption(args, "--warmup", 1);
        string folder = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), $"nas-snapshot-io-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);

        long tensorBytes = (long)megabytes * 1024 * 1024 / tensors;
        var random = new Random(1);
        var payload = Enumerable.Range(0, tensors).Select(_ => { var t = new byte[tensorBytes]; random.NextBytes(t); return t; }).ToArray();
        var readBack = Enumerable.Range(0, tensors).Select(_ => new byte[tensorBytes]).ToArray();
        long total = tensorBytes * tensors;
        string plainPath = Path.Combine(folder, "plain.bin"), snapshotPath = Path.Combine(folder, "snapshot.msgpack");

        var plain = new List<double>();
        var write = new List<double>();
        var read = new List<double>();
        try
        {
            for (int run = 0; run < warmup + runs; run++)
            {
                if (run == warmup)
                {
                    plain.Clear();
                    write.Clear();
                    read.Clear();
                }
                plain.Add(Seconds(() =>
                {
                    using var file = new FileStream(plainPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
                    foreach (var tensor in payload)
                        file.Write(tensor);
                    file.Flush(flushToDisk: true);
                }));
                write.Add(Seconds(() => SnapshotFile.Write(snapshotPath, run, [new("tensors", tensors)], (ref MessagePackWriter w, ChecksummedSink sink) =>
                {
                    w.WriteMapHeader(tensors);
                    for (int i = 0; i < tensors; i++)
                    {
                        w.Write($"tensor{i}");
                        sink.WriteBin(ref w, payload[i]);
                    }
                })));
                read.Add(Seconds(() => SnapshotFile.Read(snapshotPath, (ref MessagePackReader reader, SnapshotHeader _) =>
                {
                    long count = reader.ReadMapHeader();
                    for (int i = 0; i < count; i++)
                    {
                        reader.ReadString();
                        SnapshotValues.CopyTo(SnapshotValues.ReadBin(ref reader), readBack[i]);
                    }
                    return count;
                })));
            }
            if (!readBack.Zip(payload).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
                throw new InvalidOperationException("snapshot read back different bytes");
        }
        finally
        {
            File.Delete(plainPath);
            File.Delete(snapshotPath);
            if (Option(args, "--dir") is null)
                Directory.Delete(folder);
        }

        double mb = total / 1e6;
        Console.WriteLine($"snapshot-io: {tensors} bins, {mb:F1} MB, {runs} runs after {warmup} warm-up, folder {folder}; CRC-32C hardware: {System.Runtime.Intrinsics.X86.Sse42.X64.IsSupported}");
        Console.WriteLine($"{"what",-34} {"median s",9} {"min s",8} {"MB/s (median)",14}");
        Print("plain FileStream write + fsync", plain, mb);
        Print("snapshot write (atomic, CRC-32C)", write, mb);
        Print("snapshot read (CRC pass + parse)", read, mb);
        Console.WriteLine("runs (s): plain " + string.Join(" ", plain.Select(s => s.ToString("F3", CultureInfo.InvariantCulture))) + "; write " + string.Join(" ", write.Select(s => s.ToString("F3", CultureInfo.InvariantCulture))));
        Console.WriteLine($"snapshot write / plain write throughput: {Median(plain) / Median(write):F2} (goal >= 0.5)");
        return 0;
    }

    private static void Print(string what, List<double> seconds, double mb) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-34} {Median(seconds),9:F3} {seconds.Min(),8:F3} {mb / Median(seconds),14:F0}"));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
