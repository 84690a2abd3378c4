"""The documentation: the generated parts match their sources (results/*.json, the config's metadata), the site
builds strictly (a broken link, anchor or API reference fails), and the README stays a short front door."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def render_docs():
    spec = importlib.util.spec_from_file_location("render_docs", ROOT / "tools" / "render_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_match_the_result_files_and_the_config():
    stale = [str(path.relative_to(ROOT)) for path, text in render_docs().rendered().items()
             if not path.exists() or path.read_text() != text]
    assert not stale, f"{', '.join(stale)} out of date: run python tools/render_docs.py"


def test_every_result_file_names_its_command_commit_machine_and_date():
    records = render_docs().read(ROOT / "results")
    assert records, "results/ holds no measurements"
    for name, r in records.items():
        assert {"command", "commit", "date", "machine", "metrics"} <= set(r), name
        assert {"cpu", "flags", "torch"} <= set(r["machine"]), name


def test_the_family_table_renders_each_preset_beside_the_real_floor():
    module = render_docs()
    fake = {"presets/x": {"name": "presets/x", "kind": "preset-quality", "family": "dcgan", "preset": "x",
                          "seed": 0, "train_seconds": 600, "metrics": {"fid2k": {"mean": 2.5, "sd": 0.1,
                                                                                 "draws": [2.4, 2.6]}}},
            "timing/x": {"name": "timing/x", "kind": "preset-time", "preset": "x",
                         "metrics": {"s_per_step": 0.1, "train_minutes": 10.0}},
            "floors/fashion-mnist-test-2000": {"name": "floors/fashion-mnist-test-2000", "kind": "real-floor",
                                               "metrics": {"fid2k": {"mean": 0.11, "sd": 0.02, "draws": [0.1]}}}}
    table = module.family_table(fake, "docs/results.md").splitlines()
    assert table[2].startswith("| [DCGAN](docs/results.md#presets-x) | Radford et al. 2016 | `x` | 10 | 2.500 |")
    assert table[3].startswith("| [real held-out images (the floor)]") and "0.110" in table[3]


def test_the_docs_site_builds_strictly(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "site" / "reference" / "api" / "index.html").is_file()


def test_the_readme_is_a_short_front_door():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 200
    first = "\n".join(lines[:60])
    for command in ("make demo", "ganforge serve runs/demo", "ganforge train --data my_images/ --out runs/mine",
                    "ganforge sample osanseviero/", "ganforge eval generated/ real/"):
        assert command in first, f"the quick start's {command!r} is not in the README's first 60 lines"
    python = "\n".join(lines).split("```python\n")[1].split("```")[0].strip().splitlines()
    assert len(python) <= 8
    text = "\n".join(lines)
    assert not re.search(r"\bround (one|two|three|[a-z]+teen|\d+)\b|\bseed \d|earlier preset", text, re.I)


def test_each_extension_example_is_on_the_extending_page():
    page = (ROOT / "docs" / "extending.md").read_text()
    for example in sorted((ROOT / "docs" / "examples").glob("*.py")):
        assert f'--8<-- "examples/{example.name}"' in page, example.name


def test_a_result_file_records_how_it_was_measured(tmp_path):
    from ganforge.results import command_line, read_results, write_result
    path = write_result(tmp_path, "bench/x", {"s_per_step": 0.5}, kind="train-step", command="ganforge bench train")
    record = read_results(tmp_path)["bench/x"]
    assert path == tmp_path / "bench" / "x.json" and record["metrics"] == {"s_per_step": 0.5}
    assert record["commit"] and record["date"].endswith("Z") and record["machine"]["torch"]
    assert command_line(["/x/ganforge/__main__.py", "eval", "a b"]) == "ganforge eval 'a b'"
