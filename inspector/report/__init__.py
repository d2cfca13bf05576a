"""Reports: the census (and a generation run) as JSON, CSV, Markdown, HTML and PDF."""
