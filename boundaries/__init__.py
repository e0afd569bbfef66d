"""The boundaries shipped with hetao (data only; read with importlib.resources)."""
