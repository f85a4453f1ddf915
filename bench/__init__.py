"""Benchmarks. Run with `./run-bench [NAME ...]`; figures are recorded in bench/README.md."""
