"""The window's tabs, in order: the key a command line names and the title the window shows (no Qt here:
`main.py` reads it before it knows whether there is a display)."""

TABS = (("overview", "Overview"), ("layers", "Layers"), ("graph", "Graph"), ("generate", "Generate"), ("inside", "Inside"), ("compare", "Compare"))
TAB_KEYS = tuple(key for key, _title in TABS)
