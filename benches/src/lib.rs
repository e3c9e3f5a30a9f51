//! Shared inputs for the wsseal benchmarks.
