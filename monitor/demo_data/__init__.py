"""The offline demo's archive, shipped inside the package so `monitor demo` works wherever
the package is installed (a container image, a wheel), not only in a checkout.

It is built, byte for byte reproducibly, by ``tests/fixtures/demo/build_archive.py`` from
the pages and feeds written for it under ``tests/fixtures/demo/demo_content/``.
"""

from pathlib import Path

ARCHIVE = Path(__file__).with_name("demo.warc.gz")
