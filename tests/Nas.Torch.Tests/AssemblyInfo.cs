// Tests in this assembly run one at a time: the live-tensor count and resident memory they check are process-wide.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
