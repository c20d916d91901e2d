"""Rendering: golden files, determinism, modes, secrets, escaping and real-parser checks."""
