"""Benchmarks (make bench): not tests, figures recorded in bench/README.md."""
