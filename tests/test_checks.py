"""One number check for every surface: config, command line, web demo and Python API say the same thing."""
import argparse

import pytest

from ganforge import sample
from ganforge.checks import number
from ganforge.cli.common import positive_int, truncation_arg
from ganforge.config import Config, ConfigError
from ganforge.errors import GanforgeError
from ganforge.models import build_generator
from ganforge.web.handlers import DemoModel

from .conftest import tiny_config


def test_spellings_and_refusals():
    assert number("1e3", "x", integer=True) == 1000 and isinstance(number(2, "x"), float)
    assert number(" 0.5 ", "x", lo=0, hi=1) == 0.5 and number("inf", "x", infinite=True) == float("inf")
    for bad in (True, None, [1], "ten", float("nan"), "inf"):
        with pytest.raises(GanforgeError, match=r"x=.* is not valid: expected a finite number"):
            number(bad, "x")
    with pytest.raises(GanforgeError, match="x=2.5 is not valid: expected an integer"):
        number(2.5, "x", integer=True)
    with pytest.raises(GanforgeError, match="x=0 is out of range: expected at least 1"):
        number(0, "x", integer=True, lo=1)
    with pytest.raises(GanforgeError, match="x=0.0 is out of range: expected more than 0"):
        number(0.0, "x", above=0)
    with pytest.raises(ConfigError):
        number(5, "x", hi=4, error=ConfigError)


def test_every_surface_words_a_bad_count_alike():
    G = build_generator(tiny_config()).eval()
    expected = "2.5 is not valid: expected an integer"
    with pytest.raises(ConfigError, match=f"train.steps={expected}"):
        Config().set("train.steps", 2.5)
    with pytest.raises(argparse.ArgumentTypeError, match=f"value='2.5' is not valid: expected an integer"):
        positive_int("2.5")
    with pytest.raises(GanforgeError, match=f"seed={expected}"):
        DemoModel(G).check_seed(2.5)
    with pytest.raises(GanforgeError, match=f"n={expected}"):
        sample(G, n=2.5)
    assert positive_int("1e1") == 10 and sample(G, n="2").shape[0] == 2


def test_truncation_everywhere():
    G = build_generator(tiny_config()).eval()
    assert truncation_arg("none") is None and truncation_arg("0.5") == 0.5
    with pytest.raises(argparse.ArgumentTypeError, match="truncation='0' is out of range: expected more than 0"):
        truncation_arg("0")
    with pytest.raises(GanforgeError, match="truncation=-1 is out of range"):
        sample(G, n=1, truncation=-1)
