// Progress of a long run: a live bar with loss and accuracy on a terminal, plain lines otherwise (CI, pipes, files).
using Spectre.Console;

namespace Nas.App.Runs;

public sealed class Progress : IDisposable
{
    private readonly bool _interactive;
    private readonly long _total;
    private readonly string _title;
    private readonly DateTime _start = DateTime.UtcNow;
    private long _lastPlain = -1;
    private readonly int _plainEvery;
    private ProgressTask? _task;
    private Task? _render;
    private readonly TaskCompletionSource _done = new();

    public Progress(string title, long totalSteps, bool? interactive = null)
    {
        _title = title;
        _total = Math.Max(1, totalSteps);
        _interactive = interactive ?? (!Console.IsOutputRedirected && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive);
        _plainEvery = (int)Math.Max(1, _total / 20);
        if (_interactive)
        {
            var ready = new TaskCompletionSource();
            _render = AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    _task = ctx.AddTask(Markup.Escape(title), maxValue: _total);
                    ready.SetResult();
                    await _done.Task;
                });
            ready.Task.Wait();
        }
    }

    /// <summary>Reports that <paramref name="step"/> steps are done, with a one-line summary of the latest figures.</summary>
    public void Report(long step, string summary)
    {
        if (_task is not null)
        {
            _task.Description = Markup.Escape($"{_title} {summary}");
            _task.Value = step;
        }
        else if (step == _total || step - _lastPlain >= _plainEvery || _lastPlain < 0)
        {
            _lastPlain = step;
            var elapsed = DateTime.UtcNow - _start;
            Console.Error.WriteLine($"[{elapsed:hh\\:mm\\:ss}] {_title} step {step}/{_total} {summary}");
        }
    }

    public void Dispose()
    {
        _done.TrySetResult();
        _render?.Wait();
    }
}
