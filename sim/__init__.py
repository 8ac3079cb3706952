"""corridor-sim: a discrete-event simulator of India-Russia trade corridors."""

__version__ = "0.1.0"
