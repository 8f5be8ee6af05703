"""Private helpers of ``metrics.tables``: the reference's table tree (``html_tree``) and an
exact, numpy-vectorized Zhang–Shasha tree edit distance (``zhang_shasha``)."""
