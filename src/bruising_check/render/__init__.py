"""Everything that turns values into text, Markdown, HTML, PDF or SVG."""
