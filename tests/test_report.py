"""Reports in every format, read back."""

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import onnx
import pytest

from inspector.engine import GenerationConfig, Generator
from inspector.errors import ReportError
from inspector.model import load_model, take_census
from inspector.report import formats
from inspector.report.content import build_report
from inspector.report.formats import export
from inspector.stats import compute_statistics

from .conftest import FIXTURES, ROOT, SAMPLE

EVIL = "<script>alert('x')</script>|*_`"


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def census_of(path):
    c = take_census(load_model(path))
    compute_statistics(c)
    return c


@pytest.fixture(scope="module")
def content():
    census = census_of(SAMPLE)
    run = Generator(SAMPLE, provider="cpu").generate("Love is", GenerationConfig(max_new_tokens=12))
    return census, build_report(census, run)


@pytest.fixture(scope="module")
def evil_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil")
    m = onnx.load(FIXTURES / "tiny-gpt2" / "model.onnx")
    old = next(i.name for i in m.graph.initializer if i.name.endswith("h.0.mlp.c_fc.weight"))
    for init in m.graph.initializer:
        if init.name == old:
            init.name = EVIL
    for node in m.graph.node:
        for k, name in enumerate(node.input):
            if name == old:
                node.input[k] = EVIL
    onnx.save(m, folder / "model.onnx")
    return folder


def test_json_parses_and_equals_the_census(content, tmp_path):
    census, rc = content
    path = export(rc, tmp_path / "r.json")
    d = json.loads(path.read_text())
    assert (d["parameters"], d["weights"], d["biases"]) == (census.parameters, census.weights, census.biases)
    assert d["identity"]["sha256"] == hashlib.sha256(census.model.path.read_bytes()).hexdigest()
    assert d["identity"]["producer"].startswith("pytorch") and d["identity"]["opset"] == census.model.opset
    g = d["generation"]
    assert g["prompt"] == "Love is" and len(g["new_ids"]) == len(g["steps"]) and g["provider"] == "cpu"
    assert g["settings"]["greedy"] is True and g["ttft_ms"] > 0
    assert sum(layer["weights"] for layer in d["layers"]) == d["weights"]


def test_csv_rows_sum_to_the_totals(content, tmp_path):
    census, rc = content
    with export(rc, tmp_path / "r.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(census.tensors)
    counted = [r for r in rows if r["counted"] == "True"]
    assert sum(int(r["count"]) for r in counted) == census.parameters
    assert sum(int(r["count"]) for r in counted if r["kind"] == "bias") == census.biases
    assert {"layer", "role", "kind", "shape", "dtype", "count", "mean", "std"} <= rows[0].keys()


def test_html_is_self_contained_and_has_the_totals(content, tmp_path):
    census, rc = content
    text = export(rc, tmp_path / "r.html").read_text()
    p = Tags()
    p.feed(text)
    assert "script" not in p.tags and "link" not in p.tags
    assert f"{census.parameters:,}" in text and "Generation" in text
    imgs = text.count("<img ")
    assert imgs >= 3 and text.count('src="data:image/png;base64,') == imgs  # nothing to fetch
    assert "@media print" in text


def test_markdown_writes_its_pictures_beside_it(content, tmp_path):
    census, rc = content
    path = export(rc, tmp_path / "r.md")
    text = path.read_text()
    assert f"{census.parameters:,}" in text
    pictures = sorted((tmp_path / "r_files").iterdir())
    assert pictures and all(p.read_bytes().startswith(b"\x89PNG") for p in pictures)
    assert "r\\_files/hist\\_000.png" in text or "r_files/hist_000.png" in text


def test_pdf_has_pages(content, tmp_path, qapp):
    from inspector.app.pdf_writer import write_pdf

    _census, rc = content
    path = export(rc, tmp_path / "r.pdf")
    assert formats.writer_for("pdf") is write_pdf  # provided by the app, found through the core's registry
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + \
        data.count(b"/Type/Page") >= 1
    html = export(rc, tmp_path / "r.html")
    assert path.stat().st_mode & 0o777 == html.stat().st_mode & 0o777  # an ordinary file, like the others
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(path), str(tmp_path / "pg")],
                       check=True, timeout=60)
        assert list(tmp_path.glob("pg*.png"))


def test_untrusted_names_stay_text(evil_model, tmp_path):
    rc = build_report(census_of(evil_model))
    html = export(rc, tmp_path / "e.html").read_text()
    p = Tags()
    p.feed(html)
    assert "script" not in p.tags
    assert EVIL in "".join(p.text)  # shown as text
    md = export(rc, tmp_path / "e.md").read_text()
    assert "\\<script>alert('x')\\</script>\\|\\*\\_\\`" in md  # markup escaped (a > alone opens nothing)
    assert not re.search(r"(?<!\\)<script", md)
    d = json.loads(export(rc, tmp_path / "e.json").read_text())
    assert any(t["name"] == EVIL for layer in d["layers"] for t in layer["tensors"])


def test_failed_export_leaves_no_file(content, tmp_path, monkeypatch):
    _census, rc = content

    def broken(_content, _path):
        raise ReportError("disk on fire")

    with pytest.raises(ReportError):
        with monkeypatch.context() as mp:
            mp.setitem(formats._registered, "pdf", broken)
            export(rc, tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []
    bad = dict(rc.data)
    rc_bad = type(rc)(bad, rc.images, rc.histogram_images)
    bad["parameters"] = object()  # nothing JSON can write: the write fails midway
    with pytest.raises(TypeError):
        export(rc_bad, tmp_path / "r.json")
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite_the_model(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(FIXTURES / "tiny-gpt2", folder)
    rc = build_report(census_of(folder))
    with pytest.raises(ReportError, match="over the model"):
        export(rc, folder / "model.onnx", "json")
    assert (folder / "model.onnx").read_bytes() == (FIXTURES / "tiny-gpt2" / "model.onnx").read_bytes()
    with pytest.raises(ReportError, match="format"):
        export(rc, tmp_path / "r.docx")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "inspector", "report", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=180)


def test_cli_report_with_a_run(tmp_path):
    r = run_cli(FIXTURES / "tiny-llama", "-o", tmp_path / "x.json", "--prompt", "Hello", "--max-new-tokens", 5,
                "--temperature", 0.8, "--seed", 3)
    assert r.returncode == 0, r.stderr
    d = json.loads((tmp_path / "x.json").read_text())
    assert len(d["generation"]["new_ids"]) == 5 and d["generation"]["settings"]["seed"] == 3
    r = run_cli(FIXTURES / "tiny-llama", "-o", tmp_path / "y.txt", "--format", "md")
    assert r.returncode == 0 and (tmp_path / "y.txt").exists() and (tmp_path / "y_files").is_dir()


@pytest.mark.parametrize("case", ["over model", "bad extension", "no folder", "bad model"])
def test_cli_report_errors_exit_2(case, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(FIXTURES / "tiny-gpt2", folder)
    (tmp_path / "junk.onnx").write_bytes(b"junk" * 10)
    args = {"over model": (folder, "-o", folder / "model.onnx", "--format", "json"),
            "bad extension": (folder, "-o", tmp_path / "r.docx"),
            "no folder": (folder, "-o", tmp_path / "nope" / "r.html"),
            "bad model": (tmp_path / "junk.onnx", "-o", tmp_path / "r.html")}[case]
    r = run_cli(*args)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert (folder / "model.onnx").stat().st_size == (FIXTURES / "tiny-gpt2" / "model.onnx").stat().st_size


def test_refuses_to_overwrite_external_data(tmp_path):
    model = onnx.load(FIXTURES / "tiny-llama" / "model.onnx")
    onnx.save_model(model, tmp_path / "model.onnx", save_as_external_data=True, location="weights.bin",
                    size_threshold=0)
    census = census_of(tmp_path)
    assert census.model.external_files == [tmp_path / "weights.bin"]
    before = (tmp_path / "weights.bin").read_bytes()
    r = run_cli(tmp_path, "-o", tmp_path / "weights.bin", "--format", "csv")
    assert r.returncode == 2 and "over the model" in r.stderr
    assert (tmp_path / "weights.bin").read_bytes() == before


def test_a_quantized_models_report_says_how_it_is_stored(tmp_path):
    from inspector.engine import Generator, GenerationConfig
    from inspector.model import load_model, take_census
    from inspector.stats import compute_statistics

    c = take_census(load_model(FIXTURES / "quant-llama", variant="model_q4"))
    compute_statistics(c)
    run = Generator(FIXTURES / "quant-llama", provider="cpu", variant="model_q4").generate(
        "Love is", GenerationConfig(max_new_tokens=3))
    rc = build_report(c, run)
    html = export(rc, tmp_path / "r.html").read_text()
    summary = str(rc.data["quantization"]["summary"])
    assert summary.startswith("int4, block 32, on 15 of 16 matrices") and summary in html
    assert "greedy ids can differ wherever two candidates are close" in html and "<td>int4, block 32</td>" in html
    md = export(rc, tmp_path / "r.md").read_text()
    assert "int4, block 32" in md and "greedy ids can differ" in md
    with export(rc, tmp_path / "r.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["scheme"] for r in rows} == {"int4, block 32", "fp32"}


def test_pdf_is_laid_out_for_pages(content, tmp_path, qapp):
    """Landscape pages; sections with long tables start a page (no heading alone at a page's foot); table headers
    repeat (thead); long tensor names shortened in the middle; numbers never wrap."""
    import re

    from inspector.report.writers import elide, render_html

    _census, rc = content
    data = export(rc, tmp_path / "r.pdf").read_bytes()
    boxes = [tuple(map(float, m)) for m in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", data)]
    assert boxes and all(w > h for w, h in boxes)
    html = render_html(rc, image_src=lambda name: name, pdf=True)
    assert html.count('class="new-page"') >= 3 and "<thead>" in html
    assert "td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }" in html
    assert elide("transformer.h.10.attn.c_attn.weight", 20) == "transform…ttn.weight" and len(elide("x" * 90, 46)) == 46
    assert 'class="new-page"' not in render_html(rc)  # the HTML report flows


def test_markdown_keeps_the_outputs_lines(tmp_path):
    gen = Generator(SAMPLE, provider="cpu")
    run = gen.generate("Line one", GenerationConfig(max_new_tokens=30))
    rc = build_report(census_of(SAMPLE), run)
    text = export(rc, tmp_path / "r.md").read_text()
    assert "```text\n" + run.text + "\n```" in text and "\n" in run.text.strip()
