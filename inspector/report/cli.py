"""`python -m inspector report MODEL -o FILE [--format …] [--prompt TEXT …]`."""

from __future__ import annotations

import sys

from ..cli_options import add_variant_option
from ..errors import safe_text
from ..engine.cli import add_generation_options, run_generation


def add_report_parser(sub) -> None:
    r = sub.add_parser("report", help="export what the inspector found (html, md, json, csv, pdf)")
    r.add_argument("model", help="a .onnx file or an export folder")
    add_variant_option(r)
    r.add_argument("-o", "--output", required=True, help="the report file")
    r.add_argument("--format", choices=["html", "md", "json", "csv", "pdf"], help="default: from the extension")
    add_generation_options(r, prompt_required=False)
    r.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from ..cli import census_for
    from .content import build_report
    from .writers import export, format_for

    fmt = format_for(args.output, args.format)  # fail before any work on a bad name
    census = census_for(args.model, variant=args.variant)
    run = None
    if args.prompt is not None or args.prompt_ids is not None:
        _gen, run = run_generation(args)
    content = build_report(census, run)
    pdf_writer = None
    if fmt == "pdf":
        from ..app.pdf_writer import write_pdf as pdf_writer
    path = export(content, args.output, fmt, pdf_writer=pdf_writer, protected=census.model.external_files)
    print(f"wrote {safe_text(path, 400)}", file=sys.stderr)
    return 0
