// Entry point of the test assembly when run as a child process: `dotnet Nas.World.Tests.dll snapshot-writer FOLDER STOP_STEP`
// saves snapshots 1, 2, ... and, halfway through writing STOP_STEP's body, prints "half STOP_STEP" and waits on stdin
// to be killed (used by SnapshotCrashTests). Under the test runner it is never called.
using System.Globalization;
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.World.Tests.Snapshots;

public static class SnapshotWriterProgram
{
    public const int PayloadBytes = 8 << 20;

    public static int Main(string[] args)
    {
        if (args is not ["snapshot-writer", var folder, var stopText] || !long.TryParse(stopText, CultureInfo.InvariantCulture, out long stopStep))
        {
            Console.Error.WriteLine("usage: Nas.World.Tests snapshot-writer FOLDER STOP_STEP");
            return 2;
        }
        var store = new SnapshotStore(folder, keep: 3);
        var chunk = new byte[64 * 1024];
        for (long step = 1; step <= stopStep; step++)
        {
            Array.Fill(chunk, (byte)step);
            store.Save(step, null, (ref MessagePackWriter w, ChecksummedSink _) =>
            {
                w.WriteArrayHeader(2);
                w.Write(step);
                w.WriteBinHeader(PayloadBytes);
                for (int at = 0; at < PayloadBytes; at += chunk.Length)
                {
                    w.WriteRaw(chunk);
                    if (step == stopStep && at == PayloadBytes / 2)
                    {
                        w.Flush(); // half the body is in the temp file (the sink writes each full 256 KiB chunk)
                        Console.WriteLine($"half {step}");
                        Console.ReadLine(); // the parent kills us here; end of input means it is gone
                        Environment.Exit(3);
                    }
                }
            });
            Console.WriteLine($"saved {step}");
        }
        return 0;
    }
}
