"""monitor — how the world's press frames the Russia–DPRK treaty and the Kursk deployment,
set against one baseline analysis (Kortunov, RIAC, 2024)."""

__version__ = "0.1.0"
