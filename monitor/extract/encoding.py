"""The extractor's decoder is the monitor's one decoder (:mod:`monitor.charset`), shared
with discovery so a feed and its article pages are read by the same rules."""

from monitor.charset import Decoded, decode_html

__all__ = ["Decoded", "decode_html"]
