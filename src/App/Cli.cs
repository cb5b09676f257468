// The `nas` command tree (DESIGN.md, "The command line and the run folder").
using System.CommandLine;
using System.Runtime.InteropServices;

namespace Nas.App;

public static class Cli
{
    public static int Run(string[] args)
    {
        Torch.Torch.Threads = Environment.ProcessorCount; // libtorch here starts with one thread; commands may override
        Torch.Torch.KeepFreedMemory(); // steps reuse freed tensor memory instead of faulting pages in again
        var root = new RootCommand("Nas: neural-architecture search as an ECS world over libtorch.");
        root.Subcommands.Add(VersionCommand());
        root.Subcommands.Add(Commands.SearchCommand.Create());
        root.Subcommands.Add(Commands.InfoCommand.Create());
        root.Subcommands.Add(Commands.ResumeCommand.Create());
        root.Subcommands.Add(Commands.InspectCommand.Create());
        root.Subcommands.Add(Commands.ServeCommand.Create());
        root.Subcommands.Add(Commands.TrainCommand.Create());
        root.Subcommands.Add(Commands.BenchCommand.Create());
        root.Subcommands.Add(Commands.ExperimentCommand.Create());
        root.Subcommands.Add(Commands.ReportCommand.Create());
        return root.Parse(args).Invoke();
    }

    private static Command VersionCommand()
    {
        var command = new Command("version", "print the Nas, .NET and libtorch versions, threads and device");
        command.SetAction(_ =>
        {
            var nas = typeof(Cli).Assembly.GetName().Version?.ToString(3) ?? "?";
            Console.WriteLine($"nas      {nas}");
            Console.WriteLine($".NET     {RuntimeInformation.FrameworkDescription}");
            Console.WriteLine($"libtorch {Torch.Torch.Version}");
            Console.WriteLine($"threads  {Torch.Torch.Threads}");
            Console.WriteLine($"device   {(Torch.Torch.CudaAvailable ? "cuda" : "cpu")}");
            return 0;
        });
        return command;
    }
}
