"""Ready agents, and runners that put them through benchmarks."""
