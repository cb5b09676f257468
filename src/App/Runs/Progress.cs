// Progress of a long run: a live bar with loss and accuracy on a terminal (fitted to its width), plain lines otherwise (CI, pipes, files).
using Spectre.Console;

namespace Nas.App.Runs;

public sealed class Progress : IDisposable
{
    /// <summary>Columns besides the description: percentage (4), elapsed (8), remaining (8), and one space between columns.</summary>
    private const int FixedColumns = 4 + 8 + 8 + 4;

    private readonly bool _interactive;
    private readonly long _total;
    private readonly string _title;
    private readonly DateTime _start = DateTime.UtcNow;
    private long _lastPlain = -1;
    private DateTime _lastPlainAt = DateTime.MinValue;
    private readonly int _plainEvery;
    private readonly int _barWidth;
    private ProgressTask? _task;
    private Task? _render;
    private readonly TaskCompletionSource _done = new();

    public Progress(string title, long totalSteps, bool? interactive = null)
    {
        _title = title;
        _total = Math.Max(1, totalSteps);
        _interactive = interactive ?? (!Console.IsOutputRedirected && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive);
        _plainEvery = (int)Math.Max(1, _total / 20);
        _barWidth = BarWidth(Width);
        if (_interactive)
        {
            var ready = new TaskCompletionSource();
            _render = AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = _barWidth }, new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    _task = ctx.AddTask(Markup.Escape(Fit(title, [], DescriptionWidth(Width, _barWidth))), maxValue: _total);
                    ready.SetResult();
                    await _done.Task;
                });
            ready.Task.Wait();
        }
    }

    private static int Width => AnsiConsole.Profile.Width;

    /// <summary>
    /// Plain output: a line every 1/20 of the run, and at least every 30 s when steps are slow (a one-shot generation or a
    /// BS-NAS shrink stage can take minutes; the 1/20 rule alone left a spos evolution silent for 7 generations).
    /// </summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(30);

    /// <summary>The bar takes a quarter of the terminal, between 10 and 40 columns.</summary>
    public static int BarWidth(int terminalWidth) => Math.Clamp(terminalWidth / 4, 10, 40);

    /// <summary>Room left for the description on one line (at least 10).</summary>
    public static int DescriptionWidth(int terminalWidth, int barWidth) => Math.Max(10, terminalWidth - barWidth - FixedColumns - 1);

    /// <summary>
    /// The description line within <paramref name="width"/> characters: the title and as many of <paramref name="fields"/> (most
    /// important first) as fit, dropping from the end; a title alone that is too long is cut. Never wraps.
    /// </summary>
    public static string Fit(string title, IReadOnlyList<string> fields, int width)
    {
        for (var n = fields.Count; n >= 0; n--)
        {
            var line = n == 0 ? title : $"{title} {string.Join("  ", fields.Take(n))}";
            if (line.Length <= width) return line;
        }
        return title[..Math.Max(0, width)];
    }

    /// <summary>Reports that <paramref name="step"/> steps are done, with the latest figures (most important first).</summary>
    public void Report(long step, IReadOnlyList<string> fields)
    {
        if (_task is not null)
        {
            _task.Description = Markup.Escape(Fit(_title, fields, DescriptionWidth(Width, _barWidth)));
            _task.Value = step;
        }
        else if (step == _total || step - _lastPlain >= _plainEvery || _lastPlain < 0 || DateTime.UtcNow - _lastPlainAt >= PlainInterval)
        {
            _lastPlain = step;
            _lastPlainAt = DateTime.UtcNow;
            var elapsed = DateTime.UtcNow - _start;
            Console.Error.WriteLine($"[{elapsed:hh\\:mm\\:ss}] {_title} step {step}/{_total} {string.Join("  ", fields)}");
        }
    }

    public void Dispose()
    {
        _done.TrySetResult();
        _render?.Wait();
    }
}
