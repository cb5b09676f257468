// Benchmark entry: `dotnet run -c Release --project bench/Nas.Bench -- NAME [args]`; lists the benchmarks without a name.
using Nas.Bench;

return Benchmarks.Run(args);
