"""The Qt layer: windows that display the core's results and wire user actions to it."""
