"""Accessibility check of the HTML record in headless Chromium with axe-core (issue 10 point 7).

Not part of the test suite (it needs Chromium and axe-core, which CI does not install):

    apt-get install chromium            # or any Chromium / Chrome
    npm install --prefix /tmp/axe axe-core@4
    .venv/bin/python bench/a11y_check.py RECORD.html [--axe PATH/axe.min.js]

It copies the page, adds axe-core and a script that runs every WCAG 2.x A/AA rule, loads it with
`chromium --headless --dump-dom` and prints each violation. Exit 0 when there are none.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = """
<script>
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
  "best-practice"]}}).then(function (r) {
  var out = document.createElement("pre");
  out.id = "axe-result";
  out.textContent = JSON.stringify(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
      return n.target.join(" "); })};
  }));
  document.body.appendChild(out);
});
</script>
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("page", type=Path)
    parser.add_argument(
        "--axe", type=Path, default=Path("/tmp/axe/node_modules/axe-core/axe.min.js")
    )
    args = parser.parse_args()
    browser = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if browser is None:
        print("no Chromium found", file=sys.stderr)
        return 2
    html = args.page.read_text(encoding="utf-8")
    axe = args.axe.read_text(encoding="utf-8")
    page = html.replace("</body>", f"<script>{axe}</script>{RUN}</body>", 1)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "page.html"
        target.write_text(page, encoding="utf-8")
        dom = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
             "--dump-dom", target.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        ).stdout  # fmt: skip
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', dom, re.DOTALL)
    if found is None:
        print("axe-core did not report (page not loaded?)", file=sys.stderr)
        return 2
    text = found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    violations = json.loads(text.replace("&amp;", "&"))
    for v in violations:
        print(f"{v['impact']}: {v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][:3]})")
    print(f"{len(violations)} violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
