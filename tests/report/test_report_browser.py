"""The HTML report as a browser shows and prints it.

The sample model (sample-report.json) is rendered with presend_report_render
and opened in headless Chromium: the screenshot must show a report (not a
blank page), the DOM Chromium built must hold the charts with the model's
exact numbers, and printing must give a PDF with a page per section. One test
needs no browser: the page references nothing outside itself.

Environment (set by ctest, tests/report.cmake):
  PRESEND_REPORT_RENDER  the presend_report_render tool
  PRESEND_REPORT_SAMPLE  the sample model
  PRESEND_CHROMIUM       the browser (default: chromium)
"""

import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

BROWSER_TIMEOUT = 180
SECTIONS = ["summary", "volume", "reasons", "not-sent", "reputation", "events", "consent",
            "authentication", "plugins", "audit", "ses-request"]


# --- fixtures ------------------------------------------------------------------------

def _env_path(name):
    path = os.environ.get(name)
    if not path:
        pytest.fail(f"{name} is not set (ctest sets it; see tests/report.cmake)")
    return path


@pytest.fixture(scope="module")
def sample_path():
    return _env_path("PRESEND_REPORT_SAMPLE")


@pytest.fixture(scope="module")
def model(sample_path):
    with open(sample_path, encoding="utf-8") as f:
        return json.load(f)


def render(model_path, fmt, out_path):
    tool = _env_path("PRESEND_REPORT_RENDER")
    proc = subprocess.run([tool, str(model_path), fmt, str(out_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out_path


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="module")
def html_path(sample_path, work):
    return render(sample_path, "html", work / "report.html")


@pytest.fixture(scope="module")
def chromium():
    name = os.environ.get("PRESEND_CHROMIUM", "chromium")
    path = shutil.which(name)
    if not path:
        pytest.fail(f"no browser: {name} is not installed (apt-get install chromium)")
    return path


def run_chromium(chromium, work, *args):
    """Runs headless Chromium with its own profile; returns its standard output."""
    profile = work / "profile"
    cmd = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    proc = subprocess.run(cmd, capture_output=True, timeout=BROWSER_TIMEOUT)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def dom(chromium, work, html_path):
    text = run_chromium(chromium, work, "--dump-dom", html_path.as_uri())
    assert "<html" in text, text[:500]
    tree = Dom()
    tree.feed(text)
    tree.close()
    return tree


@pytest.fixture(scope="module")
def screenshot(chromium, work, html_path):
    png = work / "report.png"
    run_chromium(chromium, work, f"--screenshot={png}", "--window-size=1280,4000", html_path.as_uri())
    assert png.exists() and png.stat().st_size > 0
    return png


# --- a small DOM (what Chromium serialized) --------------------------------------------

class Element:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []
        self.text = ""

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def find_all(self, tag=None, cls=None):
        for child in self.children:
            if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                yield child
            yield from child.find_all(tag, cls)


class Dom(html.parser.HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [], None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        el = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(el)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        for el in self.stack[1:]:
            el.text += data

    def find_all(self, tag=None, cls=None):
        return self.root.find_all(tag, cls)


def figure(dom, kind, index=0):
    figures = [f for f in dom.find_all("figure", "chart-" + kind)]
    assert len(figures) > index, f"no chart-{kind} figure in the page"
    return figures[index]


def grouped(n):
    return f"{n:,}"


# --- PNG, read with zlib and struct only -----------------------------------------------

def decode_png(data):
    """Returns (width, height, bytes per pixel, rows) of an 8-bit RGB(A) or grey PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat = 8, []
    width = height = bpp = None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, "only 8-bit, non-interlaced PNGs"
            bpp = {0: 1, 2: 3, 4: 2, 6: 4}[color]
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev, p = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


# --- tests -----------------------------------------------------------------------------

# Tags (their text, in the page as written), and attributes in them that load
# or link anything other than an anchor in the page itself.
TAG = re.compile(r"<[A-Za-z][^>]*>")
EXTERNAL_ATTRIBUTE = re.compile(
    r"""\s(?:src|href|xlink:href|action|srcset|poster|data|background)\s*=\s*["']?\s*(?!#)[^\s"'>]""", re.I)
EXTERNAL = [
    (re.compile(r"@import", re.I), "@import"),
    (re.compile(r"url\(", re.I), "url("),
    (re.compile(r"<(?:script|link|iframe|object|embed|img|video|audio)\b", re.I), "an external-capable element"),
]


def test_html_references_nothing_outside_itself(sample_path, model, work):
    # Links written in the evidence text stay text.
    hostile = dict(model)
    hostile["ses_request"] = dict(model["ses_request"],
                                  opt_out="See https://example.com/unsubscribe and "
                                          "<a href=\"https://evil.example/\">this</a>.")
    path = work / "links.json"
    path.write_text(json.dumps(hostile), encoding="utf-8")
    for model_path, name in ((sample_path, "sample.html"), (path, "links.html")):
        page = render(model_path, "html", work / name).read_text(encoding="utf-8")
        for pattern, what in EXTERNAL:
            match = pattern.search(page)
            assert match is None, f"{name}: {what}: {page[max(0, match.start() - 60):match.end() + 60]!r}"
    assert "See https://example.com/unsubscribe and" in page
    assert "&lt;a href=&quot;https://evil.example/&quot;&gt;this&lt;/a&gt;" in page


def test_screenshot_shows_a_report(screenshot):
    width, height, bpp, rows = decode_png(screenshot.read_bytes())
    assert (width, height) == (1280, 4000)
    ink, colours, bar_blue = 0, set(), 0
    for row in rows:
        for i in range(0, len(row), bpp):
            r, g, b = row[i], row[i + 1], row[i + 2]
            if min(r, g, b) < 235:
                ink += 1
            colours.add((r >> 4, g >> 4, b >> 4))
            if abs(r - 0x4F) < 12 and abs(g - 0x7C) < 12 and abs(b - 0xAC) < 12:
                bar_blue += 1
    share = ink / (width * height)
    assert share > 0.03, f"only {share:.1%} of the screenshot is not white"
    assert len(colours) >= 16, f"only {len(colours)} distinct colours"
    # The volume bars are drawn (about 7 bars of real size), not just their labels.
    assert bar_blue > 20000, f"{bar_blue} pixels of bar colour"


def test_dom_has_every_section_in_order(dom):
    ids = [s.attrs.get("id") for s in dom.find_all("section")]
    assert ids == SECTIONS
    assert len(list(dom.find_all("h1"))) == 1
    assert [h.text for h in dom.find_all("h2")][0] == "Summary"


def test_volume_chart_carries_the_days_numbers(dom, model):
    volume = model["volume"][0]
    chart = figure(dom, "volume")
    assert list(chart.find_all("svg")), "the chart is not an inline SVG"
    bars = [(b.attrs["data-date"], b.attrs["data-value"]) for b in chart.find_all("rect", "bar")]
    assert bars == [(d["date"], str(d["sent"])) for d in volume["days"]]
    labels = {t.attrs["data-date"]: t for t in chart.find_all("text", "bar-label")}
    for day in volume["days"]:
        label = labels[day["date"]]
        assert label.attrs["data-value"] == str(day["sent"])
        assert label.text.strip() == grouped(day["sent"])
        assert int(label.text.replace(",", "")) == day["sent"]


def test_volume_chart_labels_the_24_hour_maximum(dom, model):
    volume = model["volume"][0]
    chart = figure(dom, "volume")
    (line,) = list(chart.find_all("line", "limit"))
    assert line.attrs["data-value"] == str(volume["max_24h"])
    # The sample's maximum is 12 times its busiest day: drawn above the scale.
    assert line.attrs["data-off-scale"] == "true"
    (label,) = list(chart.find_all("text", "limit-label"))
    assert label.attrs["data-value"] == str(volume["max_24h"])
    assert f"24-hour maximum {grouped(volume['max_24h'])}" in label.text


def test_rate_charts_carry_daily_rates_and_threshold_labels(dom, model):
    rep = model["reputation"][0]
    for kind, decimals, review, pause in (("bounce", 2, "5%", "10%"), ("complaint", 3, "0.1%", "0.5%")):
        chart = figure(dom, kind)
        bars = {b.attrs["data-date"]: b for b in chart.find_all("rect", "bar")}
        labels = {t.attrs["data-date"]: t for t in chart.find_all("text", "bar-label")}
        for day in rep["days"]:
            label = labels[day["date"]]
            if day["sends"] == 0:
                assert day["date"] not in bars
                assert label.text.strip() == "no sends"
                continue
            rate = day[kind + "s"] / day["sends"]
            bar = bars[day["date"]]
            assert bar.attrs["data-sends"] == str(day["sends"])
            assert bar.attrs[f"data-{kind}s"] == str(day[kind + "s"])
            assert abs(float(bar.attrs["data-value"]) - rate) < 1e-12
            assert label.text.strip() == f"{rate * 100:.{decimals}f}%"
        thresholds = {t.attrs["data-kind"]: t for t in chart.find_all("text", "threshold-label")}
        lines = {t.attrs["data-kind"]: t for t in chart.find_all("line", "threshold")}
        assert thresholds["ses_review"].text == f"SES review {review}"
        assert thresholds["ses_pause"].text == f"SES pause {pause}"
        assert float(lines["ses_review"].attrs["data-value"]) == rep["ses"][kind + "_review"]
        assert float(lines["ses_pause"].attrs["data-value"]) == rep["ses"][kind + "_pause"]
        assert float(lines["presend_warn"].attrs["data-value"]) == rep["levels"][kind + "_warn"]
        assert float(lines["presend_defer"].attrs["data-value"]) == rep["levels"][kind + "_defer"]
        (window,) = list(chart.find_all("text", "window-label"))
        assert float(window.attrs["data-value"]) == rep[kind + "_rate"]


def test_consent_chart_carries_each_lists_share(dom, model):
    chart = figure(dom, "consent")
    bars = [(b.attrs["data-list"], float(b.attrs["data-value"])) for b in chart.find_all("rect", "bar")]
    assert bars == [(c["list"], c["share"]) for c in model["consent_coverage"]]
    labels = [t.text for t in chart.find_all("text", "bar-label")]
    assert labels == [f"{c['share'] * 100:.1f}%" for c in model["consent_coverage"]]


def test_dom_says_the_list_is_truncated(dom, model):
    notes = [p.text for p in dom.find_all("p", "truncated")]
    shown, total = model["not_sent"]["shown"], model["not_sent"]["total"]
    assert notes == [f"The list is truncated: {shown} of {total} recipients are shown."]
    (table,) = list(dom.find_all("table", "not-sent"))
    assert len(list(table.find_all("tr"))) == 1 + len(model["not_sent"]["rows"])


def test_print_to_pdf_gives_a_page_per_section(chromium, work, html_path):
    pdf = work / "report.pdf"
    run_chromium(chromium, work, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html_path.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-"), data[:20]
    assert len(data) > 20000
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    # Each section starts a page; the summary shares the first with the title.
    assert pages >= len(SECTIONS), f"{pages} pages"
