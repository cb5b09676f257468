#!/usr/bin/env bash
# The `nas` CLI: installs what is missing, builds once in Release (again only when sources change), then runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/artifacts/app"
stamp="$out/.built"
"$root/scripts/setup.sh"
if [ ! -f "$stamp" ] || [ -n "$(find "$root/src" "$root/native" "$root/Directory.Build.props" "$root/Directory.Packages.props" -newer "$stamp" -type f \( -name '*.cs' -o -name '*.csproj' -o -path '*/Page/Assets/*' -o -name '*.props' -o -name '*.cpp' -o -name '*.h' -o -name 'CMakeLists.txt' \) -print -quit)" ]; then
  echo "nas: building (Release)..." >&2
  dotnet build "$root/src/App/Nas.App.csproj" -c Release -o "$out" -nologo -v quiet "-clp:ErrorsOnly;NoSummary" >&2
  touch "$stamp"
fi
# libgomp spin-waits by default; on a shared 2-core machine that made 2-thread steps 10x slower (docs/performance.md).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
exec dotnet "$out/nas.dll" "$@"
