"""Any command line from a stranger: argparse errors exit 2 with its
message, bad files exit 1 with a line naming each, never a traceback."""

from __future__ import annotations

import contextlib
import io
import tempfile

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import kseg
from kseg.cli import build_parser, main

OPTIONS = [a for action in build_parser()._actions for a in action.option_strings]
words = st.one_of(
    st.sampled_from(OPTIONS),
    st.text(max_size=40),  # all of Unicode, NUL and bidi characters included
    st.sampled_from(["-1", "0", "256", "nan", "1e999", "٣", "1_0", "²", "--", "-", "x" * 5000]),
    st.just(str(kseg.sample_path("coffee"))),
)


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv=st.lists(words, max_size=6))
@example(argv=["a\x00b.jpg"])
@example(argv=["-k", "٣", "x.jpg"])
@example(argv=[str(kseg.sample_path("coffee")), "--out", "bad\x00dir", "-k", "2"])
def test_any_argument_list_ends_in_an_exit_code_and_a_message_never_a_traceback(argv):
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        code, err = _run(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert "usage: python -m kseg" in err and "error:" in err
    if code == 1:
        assert "failed." in err.splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["-k", "0", "x.jpg"], "argument -k: must be from 1 to 255, got 0"),
        (["--scale", "nan", "x.jpg"], "argument --scale: must be more than 0 and at most 1"),
        ([], "the following arguments are required: IMAGE"),
    ],
)
def test_usage_errors_exit_2_with_the_argument_and_the_range(argv, expect, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = _run(argv)
    assert code == 2 and expect in err


def test_a_file_name_with_a_nul_character_is_one_failed_file_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = _run(["a\x00b.jpg", str(kseg.sample_path("coffee")), "-k", "2"])
    assert code == 1
    assert "cannot be opened" in err and "1 of 2 image(s) failed." in err
    assert (tmp_path / "kseg-out" / "coffee" / "manifest.json").exists()
