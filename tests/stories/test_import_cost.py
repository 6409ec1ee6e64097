"""Grouping pieces never loads the MinHash library: ``import datasketch`` imports every
sketch it has and scipy behind them (~60 MiB resident for the daemon's whole life, ~0.35 s
on every command that imports the pipeline)."""

from __future__ import annotations

from tests.imports import fresh_python


def test_grouping_a_piece_loads_neither_datasketch_nor_scipy() -> None:
    script = (
        "import sys\n"
        "import monitor.pipeline\n"
        "from monitor.models import StoryMember\n"
        "from monitor.stories import StoryIndex, fingerprint\n"
        "index = StoryIndex()\n"
        "text = ' '.join(f'word{i} of the wire story' for i in range(40))\n"
        "for article_id in (1, 2):\n"
        "    fp = fingerprint(text + ' ' + str(article_id))\n"
        "    story = index.place(fp) or article_id\n"
        "    member = StoryMember(article_id, story, fp.exact, fp.signature_bytes(), fp.size)\n"
        "    index.add(member, fp)\n"
        "print(index.member(2).story_id, sorted({'datasketch', 'scipy'} & set(sys.modules)))\n"
    )
    assert fresh_python(script) == ["1 []"]
