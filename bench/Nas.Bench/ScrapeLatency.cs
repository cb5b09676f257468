// Benchmark "scrape": latency of GET /metrics against a running daemon (`nas serve ... --urls http://127.0.0.1:PORT`).
using System.Diagnostics;
using System.Globalization;

namespace Nas.Bench;

public static class ScrapeLatency
{
    public const string What = "GET URL/metrics latency against a running `nas serve` (URL [--n 200])";

    public static int Run(string[] args)
    {
        if (args.Length == 0) throw new ArgumentException("scrape needs the daemon's URL, e.g. http://127.0.0.1:9464");
        int n = SnapshotWorld.Option(args, "--n") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : 200;
        using var http = new HttpClient { BaseAddress = new Uri(args[0]) };
        var milliseconds = new List<double>();
        long bytes = 0;
        for (int i = 0; i < n + 10; i++) // the first 10 warm up
        {
            var clock = Stopwatch.StartNew();
            string body = http.GetStringAsync("/metrics").GetAwaiter().GetResult();
            double ms = clock.Elapsed.TotalMilliseconds;
            if (i >= 10) { milliseconds.Add(ms); bytes = body.Length; }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scrape: {n} GETs of {args[0]}/metrics ({bytes} bytes): median {SnapshotWorld.Median(milliseconds):F2} ms, p90 {milliseconds.Order().ElementAt(n * 9 / 10):F2} ms, min {milliseconds.Min():F2} ms"));
        return 0;
    }
}
