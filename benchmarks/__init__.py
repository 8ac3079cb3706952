"""corridor-sim benchmarks (``python benchmarks/run.py``); see run.py for what each section measures."""
