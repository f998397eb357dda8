"""The catalog domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

ROWS: (method, path with {placeholders}, body factory or None, {role: status}).
make_targets(): creates what the rows need (inside an app context) and returns the
placeholder values, e.g. {"product": 3}.
"""
ROWS = []


def make_targets():
    return {}
