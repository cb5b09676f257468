# Sourced by ./test and tests/golden/record.sh: libtorch's kernels pinned to AVX2 (ATen and oneDNN), so a recorded run
# (the golden runs, the old-snapshot fixtures) reproduces bit for bit on AVX-512 machines too, where libtorch would pick
# kernels with other float rounding. A value already in the environment wins (NasProcess in the tests does the same).
export ATEN_CPU_CAPABILITY="${ATEN_CPU_CAPABILITY:-avx2}"
export ONEDNN_MAX_CPU_ISA="${ONEDNN_MAX_CPU_ISA:-AVX2}"
export DNNL_MAX_CPU_ISA="${DNNL_MAX_CPU_ISA:-AVX2}"
