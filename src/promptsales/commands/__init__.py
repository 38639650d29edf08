"""Command-line groups that need the platform's wiring (:mod:`promptsales.wiring`): ``mcp`` and ``lab``.

The other groups live beside the part they drive (``promptsales/<part>/cli.py``); :mod:`promptsales.cli`
attaches them all.
"""
