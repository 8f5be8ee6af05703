"""Per-document evaluation of a stage's output against golden references (plain Python)."""
