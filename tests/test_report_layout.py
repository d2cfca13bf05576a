"""How a report looks: charts with room above their lines, a short context's attention drawn narrow, every PDF
picture on one page with its caption, Markdown that escapes only markup, and steps counted from 1."""

import copy
import re
import struct

import numpy as np
import pytest

from inspector.engine import GenerationConfig, Generator
from inspector.model import load_model, take_census
from inspector.report import charts
from inspector.report.content import build_report
from inspector.report.formats import export
from inspector.report.writers import md_escape, render_html
from inspector.stats import compute_statistics

from .conftest import FIXTURES

MODEL = FIXTURES / "tiny-gpt2"


@pytest.fixture(scope="module")
def census():
    c = take_census(load_model(MODEL))
    compute_statistics(c)
    return c


@pytest.fixture(scope="module")
def inside_report(census):
    run = Generator(MODEL, provider="cpu").generate("The meaning of life is",
                                                    GenerationConfig(max_new_tokens=6, inside=True))
    return build_report(census, run)


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def test_the_memory_chart_has_room_above_its_line():
    """A process's memory hardly moves during a run: its line sits inside the plot, not on the top edge."""
    steps = [{"latency_ms": 5.0 + (i % 3), "rss_mb": 105.2 + 0.01 * i, "gpu_mb": None} for i in range(12)]
    figures = charts.run_figures(steps)
    for key, highest in (("memory", 105.31), ("latency", 7.0)):
        bottom, top = figures[key].axes[0].get_ylim()
        assert bottom == 0 and top >= 1.2 * highest, (key, top)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_a_one_token_prompts_attention_is_one_narrow_column(inside_report):
    """The first step of a one-token prompt attends to one position with weight 1: a column with its weights
    written in it, drawn at its own width (not stretched across the page as a solid block)."""
    one = charts.attention_map("step 1: chose 'x'", [np.ones((2, 1))] * 2, ["The"])
    wide = charts.attention_map("step 9: chose 'x'", [np.full((2, 40), 1 / 40)] * 2, [f"t{i}" for i in range(40)])
    assert png_size(one)[0] < png_size(wide)[0] / 2
    content = copy.copy(inside_report)
    content.images = {**inside_report.images, "attention_0001.png": one}
    html = render_html(content, image_src=lambda name: name)
    assert re.search(rf'src="attention_0001.png" alt="[^"]*" width="{png_size(one)[0]}"', html)
    last = png_size(inside_report.images["attention_0006.png"])[0]  # ten positions
    assert re.search(rf'src="attention_0006.png" alt="[^"]*" width="{min(760, last)}"', html)


def test_every_pdf_picture_stays_on_one_page_with_its_caption(inside_report, qapp):
    """Qt's layout breaks a page between any two lines: the run's two charts and each attention map with its
    caption are one paragraph that starts a new page rather than split, however much text comes before them."""
    from inspector.app.pdf_writer import block_pages, pdf_document, pictures

    checked = split = 0
    for k in (0, 3, 12, 21, 30):  # on the machine this was written on, each of these split one without the rule
        content = copy.copy(inside_report)
        content.data = copy.deepcopy(inside_report.data)
        content.data["generation"]["text"] = "word " * (40 * k)  # pushes the run's charts down the page
        content.lens = inside_report.lens * (1 + k // 3)  # and the attention maps after the lens table
        doc = pdf_document(content)
        block = doc.begin()
        while block.isValid():
            names = pictures(block)
            if any(n.startswith(("run_", "attention_")) for n in names):
                checked += 1
                first, last = block_pages(doc, block)
                split += first != last
                if names[0].startswith("run_"):
                    assert names == ["run_latency.png", "run_memory.png"]
                else:
                    assert block.text().startswith("Attention at step")  # its caption, in the same paragraph
            block = block.next()
    assert checked == 5 * 3 and split == 0


def test_markdown_escapes_only_what_would_be_markup(inside_report, tmp_path):
    text = export(inside_report, tmp_path / "r.md").read_text()
    generated = next(line for line in text.splitlines() if line.startswith("generated "))
    assert "\\" not in generated  # 2026-12-01T…, 0.1.0
    assert "| GPT-2 XL (1.5B) |" in text and "| Llama 2 7B |" in text
    assert "transformer.h.0.attn.c_attn.weight" in text
    assert md_escape("a*b|c [x](y) <b> _x_ &lt;") == "a\\*b\\|c \\[x\\](y) \\<b> \\_x\\_ &amp;lt;"
    assert [md_escape(s) for s in ("# h", "- i", "1. i", "-0.5", "1.5B")] == ["\\# h", "\\- i", "1\\. i", "-0.5", "1.5B"]


def test_reports_count_steps_from_one(inside_report, tmp_path):
    """The first generated token is step 1 wherever a person reads a step: the lens table, the attention maps'
    captions and their files; the JSON keeps its list (index 0 is the first generated token)."""
    assert [r.step for r in inside_report.lens] == [1, 2, 3, 4, 5, 6]
    assert [(s, name) for s, _t, name in inside_report.attention_images] == [(1, "attention_0001.png"),
                                                                           (6, "attention_0006.png")]
    html = render_html(inside_report)
    assert "Attention at step 1, which chose" in html and "Attention at step 6, which chose" in html
    assert "Attention at step 0" not in html


def test_a_chinese_report_has_no_english_sentence(inside_report):
    """Every word of the template and every sentence of the core — the inside note of a fused attention op, the
    storage note of a quantized model, the formula's letters — in Chinese; names (of files, tensors, the tool) aside."""
    import html as html_text

    from inspector.engine.inside import FUSED_NOTE
    from inspector.stats.precision import QUANTIZED_NOTE

    from .test_messages import english_sentence

    content = copy.copy(inside_report)
    content.data = copy.deepcopy(inside_report.data)
    content.data["language"] = "zh"
    content.data["generation"]["inside"]["note"] = FUSED_NOTE("GroupQueryAttention")
    content.data["generation"]["note"] = QUANTIZED_NOTE(content.data["quantization"]["summary"])
    page = render_html(content)
    assert "这个模型的注意力是一个融合的 GroupQueryAttention 节点" in page and "这个模型经过量化（全部为 fp32" in page
    text = re.sub(r"<(code|pre|title|style)[^>]*>.*?</\1>", " ", page, flags=re.S)  # names and the run's own text
    lines = html_text.unescape(re.sub(r"<[^>]+>", "\n", text)).replace("GPT Inspector", "").splitlines()
    assert [line for line in lines if english_sentence(line)] == []
