"""What the tests, the evaluation and the benchmarks share (never imported by the service): private Redis
servers and clusters, generated articles, and token-level helpers for the fingerprint's tests and peers."""
