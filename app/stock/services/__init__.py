"""The stock services: `from app.stock import services` gives them all.

- ledger.py: move, move_many, reserve, release, serials, availability; adjust_stock;
- transfers.py: transfers between stores;
- counts.py: stock counts.
"""
from .counts import *  # noqa: F401,F403
from .ledger import *  # noqa: F401,F403
from .transfers import *  # noqa: F401,F403
