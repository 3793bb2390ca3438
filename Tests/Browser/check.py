#!/usr/bin/env python3
"""The dashboard, /docs and CORS, checked in a real browser.

Starts the carewatch binary it is given (fresh data directories, loopback, free ports), starts
Debian's chromium headless and drives it over the DevTools protocol:

- each view of the dashboard (England; councils by deep link) loads with no console error and
  no failed request, asks the API at most three questions, shows the figures the API returns
  (read back from the page and compared with the API's own answers: England's and the
  regions' are DfE's published rows; a council's are its comparison with its neighbours, region
  and England), draws the expected number of bars, lines and points, marks DfE's withheld
  figures as withheld and joint returns as such, lists the council's neighbours with links that
  open their views, and shows its first frame within FIRST_RENDER_BUDGET_MS of navigation start
  (the median of three loads, each in a fresh browser context);
- a council's revisions panel comes closed (the view has asked its three questions), opens from
  the keyboard with at most three more, and lists what /v1/revisions answers: DfE's revisions
  between its releases (Sunderland's 2024 turnover 0.9 → u) under the release that made them,
  and an API write's under its request and key identifier, symbols shown as symbols;
- the views are read at 360 px wide without sideways scrolling; the search box works from
  the keyboard; charts and controls carry names a screen reader can use;
- /docs renders, with scripts disabled, one section per operation of /openapi.json, loading
  nothing else; /openapi.json is openapi.yaml as PyYAML reads it;
- a page served from another origin edits with If-Match, gets a 412 for a stale tag, pages a
  CSV list through X-Next-Cursor, reads a 401, a 404 and a 413; a page on an origin admitted
  only by `*` reads but cannot write.

Screenshots and a JSON report go to --out. Exit status 0 when every check passed.
    python3 Tests/Browser/check.py --binary .build/debug/carewatch --out /tmp/browser-check
"""
import argparse
import base64
import decimal
import functools
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import websocket  # websocket-client, from PyPI
import yaml  # PyYAML, from PyPI

FIRST_RENDER_BUDGET_MS = 300
HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))
GRADES = ["outstanding", "good", "requires_improvement", "adequate", "inadequate", "not_yet_inspected"]
GRADE_LABELS = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement",
                "adequate": "Adequate", "inadequate": "Inadequate", "not_yet_inspected": "Not yet inspected"}
MEASURES = [("agency_rate", "%"), ("vacancy_rate", "%"), ("turnover_rate", "%"), ("caseload", "")]
# The measures a council view compares, in page order: five of the workforce, two of context.
COMPARED = ["agency_rate", "vacancy_rate", "turnover_rate", "caseload", "absence_rate", "cin_rate", "cla_rate"]


# MARK: Reporting

class Report:
    def __init__(self):
        self.failures = []
        self.passed = 0
        self.facts = {}

    def check(self, condition, what, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failures.append(f"{what}{': ' + str(detail) if detail != '' else ''}")
            print(f"  FAIL {what} {detail}", flush=True)
        return condition

    def equal(self, actual, expected, what):
        return self.check(actual == expected, what, f"page shows {actual!r}, the API says {expected!r}")


def js_fixed(value, digits=1):
    """Number.prototype.toFixed: the exact binary value, ties away from zero."""
    quantum = decimal.Decimal(1).scaleb(-digits)
    return str(decimal.Decimal(value).quantize(quantum, rounding=decimal.ROUND_HALF_UP))


def measure_text(value, unit):
    return "–" if value is None else js_fixed(value) + unit


def published_text(row, key, unit):
    """A figure of one of DfE's rows as the page writes it: the number, or its symbol as withheld."""
    if row is None:
        return "–"
    if row["values"].get(key) is not None:
        return measure_text(row["values"][key], unit)
    symbol = row["suppressed"].get(key)
    return f"withheld ({symbol})" if symbol else "–"


# MARK: Processes

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get_json(url):
    status, _, body = get(url)
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}: {body[:200]!r}")
    return json.loads(body)


class Server:
    """A carewatch process with its own data directory, stopped with SIGTERM."""

    def __init__(self, binary, workdir, name, env=None, args=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(workdir, f"{name}.log"), "wb")
        environment = dict(os.environ, **(env or {}))
        self.process = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", os.path.join(workdir, name),
             "--access-log", "false", *args], stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} server exited with {self.process.returncode}")
            try:
                if get(self.base + "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} server did not become ready")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_directory(directory):
    """A plain static server for the cross-origin page, on its own port."""
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(QuietHandler, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, port


# MARK: DevTools protocol

class Browser:
    """Headless chromium and one DevTools connection to it (flat sessions, one per page)."""

    def __init__(self, workdir):
        executable = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not executable:
            raise RuntimeError("no chromium on PATH (Debian: apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="profile-", dir=workdir)
        self.stderr = open(os.path.join(workdir, "chromium.log"), "wb")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        active = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not (os.path.exists(active) and len(open(active).read().split("\n")) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not start its DevTools endpoint; see chromium.log")
            time.sleep(0.05)
        port, path = open(active).read().split("\n")[:2]
        self.socket = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=60, suppress_origin=True,
                                                  enable_multithread=False)
        self.next_id = 0
        self.events = []
        self.version = self.command("Browser.getVersion")["product"]

    def command(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)
            if time.monotonic() > deadline:
                raise TimeoutError(method)

    def pump(self, seconds):
        """Collects events for a while (the page keeps working meanwhile)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.socket.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                reply = json.loads(self.socket.recv())
            except (websocket.WebSocketTimeoutException, TimeoutError):
                return
            if "method" in reply:
                self.events.append(reply)

    def close(self):
        try:
            self.command("Browser.close", timeout=10)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """A tab in a browser context of its own (no shared cache), watched from its first request."""

    def __init__(self, browser, width=1280, height=900, mobile=False, scripts=True):
        self.browser = browser
        self.context = browser.command("Target.createBrowserContext")["browserContextId"]
        self.target = browser.command("Target.createTarget", {"url": "about:blank", "browserContextId": self.context})["targetId"]
        self.session = browser.command("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ["Page", "Runtime", "Log", "Network"]:
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        if not scripts:
            self.send("Emulation.setScriptExecutionDisabled", {"value": True})
        self.first_event = len(browser.events)

    def send(self, method, params=None):
        return self.browser.command(method, params, session=self.session)

    def navigate(self, url):
        self.first_event = len(self.browser.events)
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise RuntimeError(f"navigating to {url}: {result['errorText']}")

    def evaluate(self, expression, await_promise=False, timeout=60):
        result = self.browser.command("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
                                      session=self.session, timeout=timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=20):
        deadline = time.monotonic() + timeout
        guarded = f"(() => {{ try {{ return Boolean({expression}); }} catch (_) {{ return false; }} }})()"
        while time.monotonic() < deadline:
            if self.evaluate(guarded):
                return True
            self.browser.pump(0.05)
        return False

    def events(self):
        return [event for event in self.browser.events[self.first_event:] if event.get("sessionId") == self.session]

    def problems(self):
        """Console errors, uncaught exceptions, failed and refused requests since navigating."""
        found = []
        for event in self.events():
            method, params = event["method"], event["params"]
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append("console: " + " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"]))
            elif method == "Runtime.exceptionThrown":
                found.append("exception: " + params["exceptionDetails"].get("text", "") + " " +
                             str(params["exceptionDetails"].get("exception", {}).get("description", "")))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log ({params['entry']['source']}): {params['entry']['text']} {params['entry'].get('url', '')}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                found.append(f"request failed: {params.get('errorText')} {params.get('blockedReason', '')}")
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                found.append(f"request answered {params['response']['status']}: {params['response']['url']}")
        return found

    def requested(self):
        return [event["params"]["request"]["url"] for event in self.events()
                if event["method"] == "Network.requestWillBeSent" and not event["params"]["request"]["url"].startswith("data:")]

    def screenshot(self, path, full_page=True):
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.send("Page.captureScreenshot", params)["data"]))

    def screenshot_element(self, path, selector, until=None):
        """From the top of `selector` to the bottom of `until` (default: of itself), its width, 12 px around."""
        box = self.evaluate(f"""(() => {{
            const top = document.querySelector({json.dumps(selector)}).getBoundingClientRect();
            const end = document.querySelector({json.dumps(until or selector)}).getBoundingClientRect();
            return {{ x: top.left + scrollX - 12, y: top.top + scrollY - 12, width: top.width + 24, height: end.bottom - top.top + 24 }};
        }})()""")
        params = {"format": "png", "captureBeyondViewport": True, "clip": {**box, "scale": 1}}
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.send("Page.captureScreenshot", params)["data"]))

    def close(self):
        self.browser.command("Target.closeTarget", {"targetId": self.target})
        self.browser.command("Target.disposeBrowserContext", {"browserContextId": self.context})


# MARK: Views

def load_view(browser, report, url, view_key, name, out, width=1280, height=900, mobile=False):
    """Loads a view in a fresh context; checks console, requests and timing; returns the page."""
    page = Page(browser, width, height, mobile)
    page.navigate(url)
    rendered = page.wait_for(f"document.documentElement.dataset.view === {json.dumps(view_key)} && "
                             "performance.getEntriesByName('carewatch:painted').length > 0")
    report.check(rendered, f"{name}: the view rendered", url)
    browser.pump(0.3)  # late events: favicon, stray requests, errors after render
    report.facts.setdefault("timing_ms", {})[name] = render_timing(page)
    problems = page.problems()
    report.check(not problems, f"{name}: no console error and no failed request", problems)
    api_requests = [request for request in page.requested() if "/v1/" in request]
    report.check(len(api_requests) <= 3, f"{name}: at most 3 API requests", api_requests)
    report.facts.setdefault("api_requests", {})[name] = len(api_requests)
    outside = [request for request in page.requested() if not request.startswith(url.split("/#")[0].rstrip("/") + "/")]
    report.check(not outside, f"{name}: no request leaves the server", outside)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    report.check(overflow <= 0, f"{name}: no sideways scrolling at {width} px", f"{overflow} px too wide")
    page.screenshot(os.path.join(out, f"{name}.png"))
    return page, api_requests


def render_timing(page):
    """Milliseconds from navigation start: API answers in, view in the document, its frame drawn."""
    return page.evaluate("""(() => {
        const last = (name) => { const marks = performance.getEntriesByName(name); return marks.length ? marks[marks.length - 1].startTime : null; };
        const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/v1/'));
        const round = (value) => value == null ? null : Math.round(value * 10) / 10;
        return { api_done: round(api.length ? Math.max(...api.map(e => e.responseEnd)) : null),
                 rendered: round(last('carewatch:rendered')), painted: round(last('carewatch:painted')) };
    })()""")


def check_first_render(browser, report, server, runs=3):
    """Each view loaded `runs` times, each in a fresh browser context (nothing cached in the
    browser): the median time to the frame that shows it must be within budget. The machine
    is shared by the browser, the server and this script, so one load alone is noise."""
    print("First render", flush=True)
    for path, key, name in [("/#/", "england", "england"), ("/#/councils/sandwell", "council:sandwell", "council")]:
        times = []
        for _ in range(runs):
            page = Page(browser)
            page.navigate(server.base + path)
            page.wait_for(f"document.documentElement.dataset.view === {json.dumps(key)} && "
                          "performance.getEntriesByName('carewatch:painted').length > 0")
            times.append(render_timing(page)["painted"])
            page.close()
        median = sorted(time_ for time_ in times if time_ is not None)[len(times) // 2] if None not in times else None
        report.facts.setdefault("first_render_ms", {})[name] = {"median": median, "loads": times}
        report.check(median is not None and median < FIRST_RENDER_BUDGET_MS,
                     f"first render of the {name} view under {FIRST_RENDER_BUDGET_MS} ms (median of {runs} fresh browsers)", f"{times} ms")


def check_accessibility(page, report, name):
    unnamed = page.evaluate("""(() => {
        const problems = [];
        for (const svg of document.querySelectorAll('svg[role=img]')) if (!svg.getAttribute('aria-label')) problems.push('chart without a label');
        for (const a of document.querySelectorAll('a')) if (!a.textContent.trim() && !a.getAttribute('aria-label')) problems.push('link without text: ' + a.href);
        for (const t of document.querySelectorAll('table')) if (!t.querySelector('caption')) problems.push('table without a caption');
        // Every chart's figures as text too: written on the bars, the list of inspections, or a table beside it.
        for (const c of document.querySelectorAll('.chart')) {
          const name = c.dataset.chart;
          const text = name === 'ratings-now' ? c.querySelector('.value') : name === 'timeline' ? document.querySelector('.timeline-list li')
            : c.parentElement.querySelector(':scope > details table');
          if (!text) problems.push('chart without its figures as text: ' + name);
        }
        for (const s of document.querySelectorAll('section')) if (!s.getAttribute('aria-labelledby')) problems.push('section without a heading');
        const search = document.getElementById('search');
        if (!search || !document.querySelector('label[for=search]')) problems.push('search box without a label');
        if (!document.querySelector('main') || !document.querySelector('nav') || !document.querySelector('[role=search]')) problems.push('landmarks missing');
        if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
        return problems;
    })()""")
    report.check(not unnamed, f"{name}: names for a screen reader", unnamed)


def check_england(browser, report, server, out):
    print("England view", flush=True)
    page, requests = load_view(browser, report, server.base + "/#/", "england", "england", out)
    series_url = next((request for request in requests if "/v1/stats/ratings/series" in request), None)
    report.check(series_url is not None, "england: the ratings replay comes from /v1/stats/ratings/series")
    series = get_json(series_url)
    points = series["points"]
    now = points[-1]
    report.equal(now["as_of"], time.strftime("%Y-%m-%d", time.gmtime()), "england: the last point is today")
    single = get_json(server.base + f"/v1/stats/ratings?as_of={now['as_of']}")
    report.equal(now["national"], single["national"], "england: the replay's 'now' is /v1/stats/ratings")
    seen = page.evaluate("""(() => {
        const text = (node) => node ? node.textContent.trim() : null;
        return {
          bars: [...document.querySelectorAll('[data-chart="ratings-now"] .bar-row')].map(g => [g.dataset.category, text(g.querySelector('.value'))]),
          columns: [...document.querySelectorAll('[data-chart="ratings-over-time"] .column')].map(g => ({
            asOf: g.dataset.asOf, segments: Object.fromEntries([...g.querySelectorAll('.segment')].map(r => [r.dataset.category, Number(r.dataset.value)])) })),
          inadequate: [...document.querySelectorAll('[data-table="inadequate"] tbody th')].map(text),
          inadequateCard: text(document.querySelector('[data-card="inadequate-count"] .figure')),
          agencyCard: text(document.querySelector('[data-card="agency"] .figure')),
          vacancyCard: text(document.querySelector('[data-card="vacancy"] .figure')),
          regions: [...document.querySelectorAll('[data-table="regions"] tbody tr')].map(tr => ({
            region: tr.dataset.key, cells: Object.fromEntries([...tr.querySelectorAll('td')].map(td => [td.dataset.field, text(td)])) })),
          trend: [...document.querySelectorAll('[data-chart="england-workforce"] .series')].map(g => ({
            key: g.dataset.series, points: [...g.querySelectorAll('.point')].map(c => [Number(c.dataset.year), Number(c.dataset.value)]) })),
        };
    })()""")
    national = now["national"]
    shown = [grade for grade in GRADES if grade not in ("adequate", "not_yet_inspected") or national["counts"][grade] > 0]
    report.equal([category for category, _ in seen["bars"]], shown, "england: one bar per grade held now")
    for category, value in seen["bars"]:
        report.equal(value, str(national["counts"][category]), f"england: councils {category} now")
    report.equal(len(seen["columns"]), len(points), "england: one column per date of the replay")
    for column, point in zip(seen["columns"], points):
        expected = {grade: count for grade, count in point["national"]["counts"].items() if count > 0}
        report.equal(column["segments"], expected, f"england: grades on {point['as_of']}")
    inadequate = get_json(server.base + "/v1/councils?rating=inadequate&limit=500")
    report.equal(sorted(seen["inadequate"]), sorted(council["name"] for council in inadequate["data"]), "england: the councils judged inadequate")
    report.equal(seen["inadequateCard"], str(inadequate["total"]), "england: inadequate count")
    figures_url = next((request for request in requests if "/v1/figures" in request), None)
    report.check(figures_url is not None and "dataset=workforce" in figures_url, "england: workforce figures come from DfE's rows (/v1/figures)", requests)
    published = {}  # area name -> year -> row: DfE's own England and regional rows
    for row in get_json(figures_url)["data"]:
        if row["level"] != "local_authority":
            published.setdefault(row["name"], {})[row["year"]] = row
    england_years = sorted(published["England"])
    latest_year = england_years[-1]
    england_row = get_json(server.base + f"/v1/figures?dataset=workforce&area=england&year={latest_year}")["data"][0]
    report.equal(seen["agencyCard"], published_text(england_row, "agency_rate", "%"), "england: agency rate is DfE's England figure")
    report.equal(seen["vacancyCard"], published_text(england_row, "vacancy_rate", "%"), "england: vacancy rate is DfE's England figure")
    by_region = {group["region"]: group for group in now["regions"]}
    by_region["England"] = national
    report.equal([row["region"] for row in seen["regions"]], [group["region"] for group in now["regions"]] + ["England"], "england: a row per region and England")
    for row in seen["regions"]:
        group = by_region[row["region"]]
        report.equal(row["cells"]["councils"], str(group["councils"]), f"england: {row['region']} councils")
        for grade in shown:
            report.equal(row["cells"][grade], str(group["counts"][grade]), f"england: {row['region']} {grade}")
        for key, unit in MEASURES[:4]:
            row_ = published.get(row["region"], {}).get(latest_year)
            report.equal(row["cells"][key], published_text(row_, key, unit), f"england: {row['region']} {key} (DfE's figure)")
    for line in seen["trend"]:
        expected = [[year, published["England"][year]["values"][line["key"]]] for year in england_years
                    if published["England"][year]["values"].get(line["key"]) is not None]
        report.equal(line["points"], expected, f"england: DfE's England {line['key']} by year")
    report.equal([line["key"] for line in seen["trend"]], ["agency_rate", "vacancy_rate", "turnover_rate"], "england: three workforce lines")
    check_accessibility(page, report, "england")
    page.close()


def compare_text(measure, value):
    """The page's fmt.value: a comparison figure by the unit and decimals the API gives."""
    if value is None:
        return "–"
    return js_fixed(value, measure["decimals"]) + ("%" if measure["unit"] == "percent" else "")


def area_text(measure, figure):
    if figure["value"] is None:
        return f"withheld ({figure['status']})" if figure["status"] else "–"
    return compare_text(measure, figure["value"]) + ("" if figure["basis"] == "published" else f" ({figure['basis']})")


def check_council(browser, report, server, out, key, name, expect=None):
    """A council view against the API: its inspections, each compared measure (the council's,
    its neighbours' median and range, its region's and England's points; DfE's withheld figures
    marked as withheld; joint returns flagged; the table beside each chart), its neighbours."""
    print(f"Council view: {key}", flush=True)
    page, requests = load_view(browser, report, server.base + f"/#/councils/{key}", f"council:{key}", name, out)
    council = get_json(server.base + f"/v1/councils/{key}")
    inspections = get_json(server.base + f"/v1/councils/{key}/inspections?limit=500")
    compare_url = next((request for request in requests if f"/v1/councils/{urllib.parse.quote(key)}/compare" in request), None)
    report.check(compare_url is not None, f"{name}: the comparison comes from /compare", requests)
    comparison = get_json(compare_url)
    councils = {entry["code"]: entry for entry in get_json(server.base + "/v1/councils?limit=500")["data"]}
    seen = page.evaluate("""(() => {
        const text = (node) => node ? node.textContent.trim() : null;
        const points = (g) => g ? [...g.querySelectorAll('.point')].map(c => [Number(c.dataset.year), Number(c.dataset.value)]) : [];
        return {
          title: text(document.querySelector('h1')),
          overall: text(document.querySelector('#latest .overall .badge')),
          judgements: Object.fromEntries([...document.querySelectorAll('#latest [data-judgement]')].map(dd => [dd.dataset.judgement, text(dd)])),
          timeline: [...document.querySelectorAll('[data-chart="timeline"] .point')].map(c => c.dataset.id),
          listed: document.querySelectorAll('.timeline-list li').length,
          measures: Object.fromEntries([...document.querySelectorAll('[data-measure]')].map(m => [m.dataset.measure, {
            panel: m.closest('section').id,
            latest: text(m.querySelector('.latest')),
            series: Object.fromEntries([...m.querySelectorAll('.series')].map(g => [g.dataset.series, points(g)])),
            withheld: [...m.querySelectorAll('.withheld')].map(g => [g.closest('.series').dataset.series, Number(g.dataset.year), g.dataset.status]),
            joint: [...m.querySelectorAll('.series[data-series="council"] .point.joint')].map(c => Number(c.dataset.year)),
            band: [...m.querySelectorAll('.band .band-range')].map(l => [Number(l.dataset.year), Number(l.dataset.low), Number(l.dataset.high)]),
            lines: m.querySelectorAll('path.line').length,
            basis: text(m.querySelector('.basis')),
            table: [...m.querySelectorAll('table tbody tr')].map(tr => Object.fromEntries([...tr.children].map((cell, i) => [cell.dataset.field || 'year', text(cell)]))),
          }])),
          neighbours: [...document.querySelectorAll('[data-table="neighbours"] tbody tr')].map(tr => ({
            key: tr.dataset.key, links: [...tr.querySelectorAll('a')].map(a => [a.getAttribute('href'), text(a)]),
            grade: text(tr.querySelector('[data-field="grade"]')) })),
        };
    })()""")
    report.equal(seen["title"], council["name"], f"{name}: the council's name")
    latest = council["latest_inspection"]
    if latest:
        report.equal(seen["overall"], GRADE_LABELS[latest["overall"]], f"{name}: latest overall grade")
        full = next(inspection for inspection in inspections["data"] if inspection["id"] == latest["id"])
        for judgement, grade in full["judgements"].items():
            report.equal(seen["judgements"].get(judgement), GRADE_LABELS[grade] if grade else "not judged", f"{name}: {judgement}")
    dated = [inspection["id"] for inspection in inspections["data"] if inspection["published"]]
    report.equal(sorted(seen["timeline"]), sorted(dated), f"{name}: one timeline point per inspection")
    report.equal(seen["listed"], inspections["total"], f"{name}: every inspection listed")

    report.equal(sorted(seen["measures"]), sorted(COMPARED), f"{name}: a chart per compared measure")
    found = {"withheld": 0, "joint": 0}
    for measure in comparison["measures"]:
        id_ = measure["measure"]
        shown = seen["measures"].get(id_)
        if shown is None:
            continue
        years = measure["years"]
        report.equal(shown["panel"], "workforce" if id_ in COMPARED[:5] else "context", f"{name}: {id_} in its panel")
        expected_series = {
            "council": [[year["year"], year["value"]] for year in years if year["value"] is not None],
            "neighbours": [[year["year"], year["neighbours"]["median"]] for year in years if year["neighbours"]["median"] is not None],
            "region": [[year["year"], year["region"]["value"]] for year in years if year["region"]["value"] is not None],
            "england": [[year["year"], year["england"]["value"]] for year in years if year["england"]["value"] is not None],
        }
        for series, expected in expected_series.items():
            report.equal(shown["series"].get(series), expected, f"{name}: {id_}, points of {series}")
        report.equal(shown["lines"], sum(1 for points in expected_series.values() if points), f"{name}: {id_}, one line per series")
        report.equal(shown["band"], [[year["year"], year["neighbours"]["min"], year["neighbours"]["max"]] for year in years
                                     if year["neighbours"]["min"] is not None], f"{name}: {id_}, the neighbours' range")
        withheld = [["council", year["year"], year["status"]] for year in years if year["value"] is None and year["status"]]
        for area in ("region", "england"):
            withheld += [[area, year["year"], year[area]["status"]] for year in years if year[area]["value"] is None and year[area]["status"]]
        report.equal(sorted(shown["withheld"]), sorted(withheld), f"{name}: {id_}, DfE's withheld figures marked as withheld")
        report.equal(shown["joint"], [year["year"] for year in years if year["joint_return"] and year["value"] is not None], f"{name}: {id_}, joint returns flagged")
        found["withheld"] += len(withheld)
        found["joint"] += len(shown["joint"])
        last = next((year for year in reversed(years) if year["value"] is not None or year["status"]), None)
        if last:
            report.equal(shown["latest"], compare_text(measure, last["value"]) if last["value"] is not None else f"withheld ({last['status']})",
                         f"{name}: latest {id_}")
        report.equal([row["year"] for row in shown["table"]], [str(year["year"]) for year in years], f"{name}: {id_}, a table row per year")
        for row, year in zip(shown["table"], years):
            council_text = (compare_text(measure, year["value"]) + (" (joint return)" if year["joint_return"] else "")) if year["value"] is not None \
                else (f"withheld ({year['status']})" if year["status"] else "–")
            report.equal(row.get("council"), council_text, f"{name}: {id_} {year['year']} in the table")
            report.equal(row.get("region"), area_text(measure, year["region"]), f"{name}: {id_} {year['year']} region in the table")
            report.equal(row.get("england"), area_text(measure, year["england"]), f"{name}: {id_} {year['year']} England in the table")
        bases = {year[area]["basis"] for year in years for area in ("region", "england") if year[area]["basis"]}
        said = {"published": "DfE's published figures", "computed": "computed by carewatch", "pooled": "pooled by carewatch"}
        for basis in bases:
            report.check(said[basis] in (shown["basis"] or ""), f"{name}: {id_} says its area figures are {basis}", shown["basis"])
    for what, wanted in (expect or {}).items():
        report.check(found[what] >= wanted, f"{name}: at least {wanted} {what} figure(s) shown as such", found)

    members = comparison["neighbours"]["members"]
    report.equal([row["key"] for row in seen["neighbours"]], [member["code"] or str(member["la_code"]) for member in members], f"{name}: every neighbour listed, in DfE's order")
    for row, member in zip(seen["neighbours"], members):
        if member["current"]:
            report.equal(row["links"], [[f"#/councils/{member['slug']}", member["name"]]], f"{name}: {member['name']} links to its view")
            inspection = councils[member["code"]]["latest_inspection"]
            report.equal(row["grade"], GRADE_LABELS[inspection["overall"] if inspection else "not_yet_inspected"], f"{name}: {member['name']}'s latest grade")
        else:
            report.equal(row["links"], [[f"#/councils/{successor['slug']}", successor["name"]] for successor in member["succeeded_by"] if successor["slug"]],
                         f"{name}: {member['name']} (abolished) links to its successors")
    check_accessibility(page, report, name)
    page.close()


def put_json(url, body, key):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def long_date(iso):
    """The page's fmt.date: 29 February 2024."""
    day = time.strptime(iso, "%Y-%m-%d")
    return f"{day.tm_mday} {time.strftime('%B', day)} {day.tm_year}"


def revision_figure(value, measure, symbols):
    """A revised figure as the panel writes it: by the measure's unit and decimals, or DfE's
    symbol with its meaning (never a number), or "none"."""
    if value is None:
        return "none"
    if isinstance(value, str):
        return f"{value}: {symbols.get(value, 'withheld')}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if measure["unit"] == "count":
            return f"{int(decimal.Decimal(value).quantize(1, rounding=decimal.ROUND_HALF_UP)):,}"
        return js_fixed(value, measure["decimals"]) + ("%" if measure["unit"] == "percent" else "")
    return json.dumps(value, separators=(",", ":"))


def expected_made_by(revision, releases):
    """(what, the note's start, times named) of a revision's last column."""
    by = revision["made_by"]
    if by is None:
        return "Not recorded", "journaled before", [revision["at"]]
    key = f"key {by['key_id']}, " if by["key_id"] else ""
    if by["kind"] == "release":
        release = releases[by["release"]]
        if release["published"]:
            return release["title"], f"{release['publisher']}; published {long_date(release['published'])}", [release["published"]]
        return release["title"], f"{release['publisher']}; {release['published_note']}", []
    what = {"write": f"API write: {by['request']}", "import": f"Import of {(by['file'] or {}).get('name') or 'a file'}",
            "seed": "The embedded data", "restore": "A restore"}[by["kind"]]
    return what, key if by["kind"] != "seed" else "", [revision["at"]]


def check_revisions(browser, report, server, out, key, name, expect=(), width=1280, height=900, mobile=False):
    """The council view's revisions panel. The view has asked its three questions when it
    renders, so the panel comes closed and /v1/revisions is not asked; opened from the keyboard
    (Enter on its summary) it asks at most three more (the revisions, then the measures and the
    releases), and lists exactly what GET /v1/revisions answers: a row per revised figure, in
    its order, with the measure's name, the figures before and after (DfE's symbols as symbols
    with their meaning), the release that made it (title, publisher, date) or the API write
    (request, key identifier, time). `expect`: (year, measure, old, new) that must be listed."""
    print(f"Revisions panel: {key}", flush=True)
    page, requests = load_view(browser, report, server.base + f"/#/councils/{key}", f"council:{key}", name, out, width, height, mobile)
    report.check(not any("/v1/revisions" in request for request in requests), f"{name}: the view does not ask for revisions until the panel opens", requests)
    report.equal(page.evaluate("document.getElementById('revisions-details').open"), False, f"{name}: the revisions panel comes closed")
    before = len(page.requested())
    page.evaluate("document.querySelector('#revisions-details summary').focus()")
    report.equal(page.evaluate("document.activeElement.textContent"), "Show the revised figures", f"{name}: the panel's summary takes focus")
    started = page.evaluate("performance.now()")
    for kind in ("keyDown", "keyUp"):
        page.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                                             **({"text": "\r"} if kind == "keyDown" else {})})
    report.check(page.wait_for("document.querySelector('#revisions .revisions').dataset.state === 'loaded'"), f"{name}: Enter opens the panel and it lists the revisions")
    browser.pump(0.3)
    listed = page.evaluate("performance.getEntriesByName('carewatch:revisions').at(-1).startTime")
    report.facts.setdefault("revisions_listed_ms", {})[name] = round(listed - started, 1)
    opened = [request for request in page.requested()[before:] if "/v1/" in request]
    report.check(len(opened) <= 3 and any("/v1/revisions" in request for request in opened),
                 f"{name}: opening the panel asks /v1/revisions and at most 3 questions", opened)
    report.facts.setdefault("api_requests", {})[f"{name}-panel-opened"] = len(opened)
    problems = page.problems()
    report.check(not problems, f"{name}: no console error and no failed request with the panel open", problems)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    report.check(overflow <= 0, f"{name}: no sideways scrolling at {width} px with the panel open", f"{overflow} px too wide")

    council = get_json(server.base + f"/v1/councils/{key}")
    answer = get_json(server.base + f"/v1/revisions?council={council['code']}&limit=500")
    measures = get_json(server.base + "/v1/measures")
    by_measure = {measure["id"]: measure for measure in measures["data"]}
    symbols = {entry["symbol"]: entry["meaning"] for entry in measures["symbols"]}
    releases = {release["id"]: release for release in get_json(server.base + "/v1/releases?limit=500")["data"]}
    seen = page.evaluate("""(() => {
        const text = (node) => node ? node.textContent.trim() : null;
        const tables = [...document.querySelectorAll('[data-table="revisions"]')];
        return {
          count: text(document.querySelector('#revisions .count')),
          captions: tables.map(table => text(table.querySelector('caption'))),
          headers: tables.map(table => [...table.querySelectorAll('thead th')].map(th => th.getAttribute('scope') + ' ' + text(th))),
          none: text(document.querySelector('#revisions .none')),
          csv: document.querySelector('#revisions .revisions a')?.getAttribute('href') ?? null,
          rows: tables.flatMap(table => [...table.querySelectorAll('tbody tr')].map(tr => {
            const group = tr.closest('.revision-group');
            return {
              key: tr.dataset.key, version: Number(group.dataset.version), year: text(tr.querySelector('th[scope=row]')),
              measure: text(tr.querySelector('[data-field="measure"]')),
              old: text(tr.querySelector('[data-field="old"]')), new: text(tr.querySelector('[data-field="new"]')),
              symbols: [...tr.querySelectorAll('.symbol')].map(s => s.dataset.symbol),
              by: text(group.querySelector('h3.by')), note: text(group.querySelector('.by-note')),
              times: [...group.querySelectorAll('.by-note time')].map(t => t.getAttribute('datetime')),
            };
          })),
        };
    })()""")
    revisions = answer["data"]
    report.equal(len(seen["rows"]), len(revisions), f"{name}: a row per revision of /v1/revisions")
    if not revisions:
        report.check(seen["none"] and seen["none"].startswith("None"), f"{name}: says no figure was revised", seen["none"])
    else:
        report.check((seen["count"] or "").startswith(f"{answer['total']} revised figure"), f"{name}: the panel counts them", seen["count"])
        versions = list(dict.fromkeys(revision["version"] for revision in revisions))
        report.equal(len(seen["captions"]), len(versions), f"{name}: a table for each write that revised figures (release, API request)")
        report.check(all(caption and caption.startswith(council["name"]) for caption in seen["captions"]), f"{name}: each table has a caption", seen["captions"])
        report.equal(seen["headers"], [["col Year", "col Measure", "col Before", "col After"]] * len(versions), f"{name}: column headers")
        report.equal(seen["csv"], f"/v1/revisions?council={council['code']}&format=csv&limit=all", f"{name}: the revisions as CSV")
    own = {council["code"], *council["former_codes"]}
    for row, revision in zip(seen["rows"], revisions):
        measure = by_measure[revision["measure"]]
        what = f"{revision['year']} {revision['measure']}"
        report.equal(row["key"], f"{revision['seq']}:{revision['area']}:{revision['year']}:{revision['measure']}", f"{name}: {what} in the API's order")
        report.equal(row["version"], revision["version"], f"{name}: {what}, under the write that made it")
        report.equal(row["year"], str(revision["year"]) if revision["area"] in own else f"{revision['year']}, {revision['area_name']}", f"{name}: {what}, its row")
        report.equal(row["measure"], measure["label"], f"{name}: {what}, the measure's name")
        report.equal(row["old"], revision_figure(revision["old"], measure, symbols), f"{name}: {what}, the figure before")
        report.equal(row["new"], revision_figure(revision["new"], measure, symbols), f"{name}: {what}, the figure after")
        report.equal(row["symbols"], [value for value in (revision["old"], revision["new"]) if isinstance(value, str)], f"{name}: {what}, symbols shown as symbols")
        by, note, times = expected_made_by(revision, releases)
        report.equal(row["by"], by, f"{name}: {what}, what changed it (the group's heading)")
        report.check((row["note"] or "").startswith(note), f"{name}: {what}, {note!r} beneath", row["note"])
        report.equal(row["times"], times, f"{name}: {what}, the times named")
    listed = {(revision["year"], revision["measure"], revision["old"], revision["new"]) for revision in revisions}
    for wanted in expect:
        report.check(wanted in listed, f"{name}: the API lists {wanted}", sorted(listed, key=str))
    check_accessibility(page, report, name)
    page.screenshot_element(os.path.join(out, f"{name}.png"), "#revisions")
    page.close()
    return revisions


def check_revision_by_write(browser, report, server, out, key, api_key):
    """An API write is a revision too: a figure changed and another withheld by a PUT show in
    the panel as that request, with the key's identifier (its SHA-256's first 12 hex digits,
    computed here), beside DfE's own revision of the council's figures."""
    row = get_json(server.base + f"/v1/councils/{key}/workforce/2023")
    edited = dict(row, caseload=round((row["caseload"] or 0) + 1.5, 1), vacancy_rate=None,
                  suppressed=dict(row["suppressed"], vacancy_rate="c"))
    put_json(server.base + f"/v1/councils/{key}/workforce/2023", edited, api_key)
    revisions = check_revisions(browser, report, server, out, key, f"{key}-revisions-360", width=360, height=740, mobile=True,
                                expect=[(2024, "absence_rate", 1.9, "u"), (2023, "caseload", row["caseload"], edited["caseload"]),
                                        (2023, "vacancy_rate", row["vacancy_rate"], "c")])
    key_id = hashlib.sha256(api_key.encode()).hexdigest()[:12]
    writes = [revision for revision in revisions if revision["made_by"] and revision["made_by"]["kind"] == "write"]
    report.check(len(writes) == 2 and all(revision["made_by"]["key_id"] == key_id for revision in writes),
                 f"{key}: the write's revisions name the key by {key_id}", writes)


def check_neighbour_link(browser, report, server):
    """A neighbour's link, followed from the keyboard, opens its view with at most three more
    API requests (two: the list of councils is already in the page)."""
    print("Following a neighbour", flush=True)
    page = Page(browser)
    page.navigate(server.base + "/#/councils/sandwell")
    report.check(page.wait_for("document.documentElement.dataset.view === 'council:sandwell' && "
                               "performance.getEntriesByName('carewatch:painted').length > 0"), "neighbour link: Sandwell rendered")
    first = get_json(server.base + "/v1/councils/sandwell/neighbours")["neighbours"][0]
    before = len(page.requested())
    page.evaluate("document.querySelector('[data-table=\"neighbours\"] tbody a').focus()")
    report.equal(page.evaluate("document.activeElement.textContent"), first["name"], "neighbour link: the first neighbour's link takes focus")
    for kind in ("keyDown", "keyUp"):
        page.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                                             **({"text": "\r"} if kind == "keyDown" else {})})
    report.check(page.wait_for(f"document.documentElement.dataset.view === {json.dumps('council:' + first['slug'])}"),
                 "neighbour link: Enter opens the neighbour's view")
    browser.pump(0.3)
    report.equal(page.evaluate("document.querySelector('h1').textContent"), first["name"], "neighbour link: the neighbour's name heads the view")
    report.equal(page.evaluate("document.activeElement.tagName"), "H1", "neighbour link: focus moves to the new view's heading")
    api_requests = [request for request in page.requested()[before:] if "/v1/" in request]
    report.check(len(api_requests) <= 3, "neighbour link: at most 3 API requests for the neighbour's view", api_requests)
    report.facts.setdefault("api_requests", {})["neighbour-followed"] = len(api_requests)
    problems = page.problems()
    report.check(not problems, "neighbour link: no console error and no failed request", problems)
    page.close()


def check_narrow_and_keyboard(browser, report, server, out):
    print("360 px wide and keyboard", flush=True)
    for path, key, name in [("/#/", "england", "england-360"), ("/#/councils/sandwell", "council:sandwell", "sandwell-360")]:
        page, _ = load_view(browser, report, server.base + path, key, name, out, width=360, height=740, mobile=True)
        page.close()
    page = Page(browser)
    page.navigate(server.base + "/#/")
    report.check(page.wait_for("document.documentElement.dataset.view === 'england'"), "keyboard: England rendered")

    def key(name, code, text=None):
        for kind in ("keyDown", "keyUp"):
            params = {"type": kind, "key": name, "code": code, "windowsVirtualKeyCode": {"Slash": 191, "ArrowDown": 40, "Enter": 13, "Escape": 27}.get(code, 0)}
            if text and kind == "keyDown":
                params["text"] = text
            page.send("Input.dispatchKeyEvent", params)

    key("/", "Slash", "/")
    report.check(page.evaluate("document.activeElement.id === 'search'"), "keyboard: / focuses the search box")
    page.send("Input.insertText", {"text": "sandw"})
    report.check(page.wait_for("document.querySelectorAll('#search-results [role=option]').length > 0"), "keyboard: typing lists councils")
    report.equal(page.evaluate("document.getElementById('search').getAttribute('aria-expanded')"), "true", "keyboard: the combobox says it is open")
    report.equal(page.evaluate("document.getElementById(document.getElementById('search').getAttribute('aria-activedescendant')).textContent"),
                 "Sandwell West Midlands", "keyboard: the first match is active")
    key("Enter", "Enter")
    report.check(page.wait_for("document.documentElement.dataset.view === 'council:sandwell'"), "keyboard: Enter opens the council")
    report.equal(page.evaluate("location.hash"), "#/councils/sandwell", "keyboard: the view has a deep link")
    report.equal(page.evaluate("document.activeElement.tagName"), "H1", "keyboard: focus moves to the new view's heading")
    page.evaluate("history.back()")
    report.check(page.wait_for("document.documentElement.dataset.view === 'england'"), "keyboard: Back returns to England")
    problems = page.problems()
    report.check(not problems, "keyboard: no console error and no failed request", problems)
    page.close()


def check_unknown_council(browser, report, server):
    print("A link to no council", flush=True)
    page = Page(browser)
    page.navigate(server.base + "/#/councils/nowhere")
    report.check(page.wait_for("document.documentElement.dataset.view === 'council:nowhere'"), "unknown council: the view renders")
    report.check("No council is named" in (page.evaluate("document.querySelector('[role=alert]')?.textContent") or ""),
                 "unknown council: says so, as an alert")
    unexpected = [problem for problem in page.problems()
                  if not (problem.startswith("request answered 404") or (problem.startswith("log (network)") and " 404 " in problem))]
    report.check(not unexpected, "unknown council: nothing fails but the API's 404s", unexpected)
    page.close()


def check_docs(browser, report, server, out):
    print("API reference", flush=True)
    document = get_json(server.base + "/openapi.json")
    with open(os.path.join(REPOSITORY, "openapi.yaml"), encoding="utf-8") as source:
        report.check(document == yaml.safe_load(source), "docs: /openapi.json is openapi.yaml as PyYAML reads it")
    operations = [(method, path) for path, item in document["paths"].items() for method in item
                  if method in ("get", "put", "post", "patch", "delete", "options", "head")]
    page = Page(browser, scripts=False)
    page.navigate(server.base + "/docs")
    report.check(page.wait_for("document.readyState === 'complete'"), "docs: the page loads")
    browser.pump(0.3)
    seen = page.evaluate("""(() => ({
        operations: [...document.querySelectorAll('article.op h3')].map(h => h.textContent.trim()),
        curl: document.querySelectorAll('pre.curl').length,
        schemas: document.querySelectorAll('article.schema').length,
    }))()""")
    report.equal(sorted(seen["operations"]), sorted(f"{method.upper()} {path}" for method, path in operations), "docs: one section per operation")
    report.equal(seen["curl"], len(operations), "docs: a curl line per operation")
    report.equal(seen["schemas"], len(document["components"]["schemas"]), "docs: a section per schema")
    report.equal(page.requested(), [server.base + "/docs"], "docs: the page loads nothing else")
    problems = page.problems()
    report.check(not problems, "docs: no console error and no failed request", problems)
    page.screenshot(os.path.join(out, "docs.png"), full_page=False)
    page.close()


# MARK: Cross-origin

def check_cross_origin(browser, report, binary, workdir, out):
    print("Cross-origin page", flush=True)
    static, static_port = serve_directory(HERE)
    listed_origin = f"http://127.0.0.1:{static_port}"
    wildcard_origin = f"http://localhost:{static_port}"
    key = "browser-" + os.urandom(8).hex()
    max_body = 2048
    api = Server(binary, workdir, "cors", env={"CAREWATCH_API_KEYS": key},
                 args=("--cors-origins", f"*,{listed_origin}", "--max-body-bytes", str(max_body)))
    try:
        page = Page(browser)
        page.navigate(listed_origin + "/cross-origin.html")
        report.check(page.wait_for("typeof runListedChecks === 'function'"), "cors: the page on a listed origin loads")
        results = page.evaluate(f"runListedChecks({json.dumps(api.base)}, {json.dumps(key)}, {max_body}).then(log)", await_promise=True)
        report.facts["cross_origin_listed"] = results
        report.check(results["read"]["status"] == 200 and results["read"]["etag"], "cors: read with the ETag visible", results["read"])
        report.check(results["read"]["requestId"], "cors: X-Request-Id visible", results["read"])
        report.check(results["edit"]["status"] == 200 and results["edit"]["etag"] not in (None, results["read"]["etag"])
                     and results["edit"]["name"] == "Sandwell (edited across origins)", "cors: authenticated edit with If-Match", results["edit"])
        report.check(results["stale"]["status"] == 412 and results["stale"]["type"] == "application/problem+json"
                     and "If-Match" in (results["stale"]["detail"] or ""), "cors: a stale tag is a readable 412", results["stale"])
        report.check(results["unauthorised"]["status"] == 401 and results["unauthorised"]["wwwAuthenticate"], "cors: a readable 401 with WWW-Authenticate",
                     results["unauthorised"])
        total = get_json(api.base + "/v1/workforce?limit=1")["total"]
        paging = results["paging"]
        report.check(paging.get("rows") == total == paging.get("total") and paging.get("pages", 0) > 1,
                     "cors: CSV paged through X-Next-Cursor gives every row", paging)
        report.check(bool(paging.get("firstLink")) and results.get("linkFollowed", {}).get("status") == 200,
                     "cors: the Link header is visible and followable", results.get("linkFollowed"))
        report.check(results["whole"]["status"] == 200 and results["whole"]["rows"] == total == results["whole"]["total"]
                     and "attachment" in (results["whole"]["disposition"] or ""), "cors: limit=all CSV whole, Content-Disposition visible", results["whole"])
        report.check(results["notFound"]["status"] == 404 and results["notFound"]["type"] == "application/problem+json", "cors: a readable 404",
                     results["notFound"])
        too_large = results["tooLarge"]
        report.check(too_large.get("status") == 413 and too_large.get("type") == "application/problem+json"
                     and str(max_body) in (too_large.get("detail") or ""), "cors: the engine's own 413 is readable, its limit named", too_large)
        unexpected = [problem for problem in page.problems() if problem.startswith("exception")]
        report.check(not unexpected, "cors: no script error on the listed page", unexpected)
        page.screenshot(os.path.join(out, "cross-origin.png"), full_page=False)
        page.close()

        before = get_json(api.base + "/v1/councils/sandwell")
        page = Page(browser)
        page.navigate(wildcard_origin + "/cross-origin.html")
        report.check(page.wait_for("typeof runWildcardChecks === 'function'"), "cors: the page on an origin admitted by * loads")
        results = page.evaluate(f"runWildcardChecks({json.dumps(api.base)}, {json.dumps(key)}).then(log)", await_promise=True)
        report.facts["cross_origin_wildcard"] = results
        report.check(results["read"]["status"] == 200 and results["read"]["total"] == 153 and results["read"]["link"],
                     "cors: * reads, Link visible", results["read"])
        report.check(not results["write"]["ok"], "cors: * cannot write, even with a key (the preflight fails)", results["write"])
        report.check(results["simpleWrite"]["status"] == 403 and listed_origin not in (results["simpleWrite"]["detail"] or "x"),
                     "cors: a write that needs no preflight is refused with a readable 403", results["simpleWrite"])
        after = get_json(api.base + "/v1/councils/sandwell")
        report.equal(after, before, "cors: nothing was written from the * origin")
        page.close()
    finally:
        api.stop()
        static.shutdown()


# MARK: Main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="the carewatch executable")
    parser.add_argument("--out", required=True, help="directory for screenshots and report.json")
    parser.add_argument("--readme-screenshot", help="also save the England view (1280 px, top of the page) here")
    parser.add_argument("--readme-council-screenshot", help="also save Sandwell's workforce comparison (1280 px) here")
    arguments = parser.parse_args()
    os.makedirs(arguments.out, exist_ok=True)
    binary = os.path.abspath(arguments.binary)
    workdir = tempfile.mkdtemp(prefix="carewatch-browser-")
    report = Report()
    browser = None
    server = None
    try:
        browser = Browser(workdir)
        print(f"{browser.version}, carewatch {binary}", flush=True)
        api_key = "browser-" + os.urandom(8).hex()
        server = Server(binary, workdir, "dashboard", env={"CAREWATCH_API_KEYS": api_key})
        check_england(browser, report, server, arguments.out)
        check_council(browser, report, server, arguments.out, "sandwell", "sandwell")
        check_council(browser, report, server, arguments.out, "E08000016", "barnsley-by-former-code")
        check_council(browser, report, server, arguments.out, "kingston-upon-thames", "kingston-joint-return", expect={"joint": 1})
        check_council(browser, report, server, arguments.out, "sunderland", "sunderland-withheld", expect={"withheld": 1})
        check_council(browser, report, server, arguments.out, "kensington-and-chelsea", "kensington-withheld", expect={"withheld": 1})
        check_revisions(browser, report, server, arguments.out, "sunderland", "sunderland-revisions",
                        expect=[(2024, "turnover_rate", 0.9, "u"), (2023, "agency_rate", 0, "low")])
        check_revisions(browser, report, server, arguments.out, "sandwell", "sandwell-revisions")
        check_revision_by_write(browser, report, server, arguments.out, "bristol-city-of", api_key)
        check_neighbour_link(browser, report, server)
        check_first_render(browser, report, server)
        check_narrow_and_keyboard(browser, report, server, arguments.out)
        check_unknown_council(browser, report, server)
        check_docs(browser, report, server, arguments.out)
        if arguments.readme_screenshot:
            page = Page(browser, 1280, 1000)
            page.navigate(server.base + "/#/")
            page.wait_for("document.documentElement.dataset.view === 'england'")
            page.screenshot(arguments.readme_screenshot, full_page=False)
            page.close()
        if arguments.readme_council_screenshot:
            page = Page(browser, 1280, 1000)
            page.navigate(server.base + "/#/councils/sandwell")
            page.wait_for("document.documentElement.dataset.view === 'council:sandwell' && performance.getEntriesByName('carewatch:painted').length > 0")
            page.screenshot_element(arguments.readme_council_screenshot, "#workforce", until="#workforce [data-measure]:nth-of-type(2)")
            page.close()
        check_cross_origin(browser, report, binary, workdir, arguments.out)
    except Exception as error:  # noqa: BLE001 - any crash is a failed check, reported
        report.failures.append(f"the check itself failed: {type(error).__name__}: {error}")
        print(f"  FAIL {report.failures[-1]}", flush=True)
    finally:
        if browser:
            browser.close()
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    with open(os.path.join(arguments.out, "report.json"), "w") as file:
        json.dump({"passed": report.passed, "failures": report.failures, "facts": report.facts}, file, indent=2)
    print(f"\nfirst render (ms, navigation start to the view's first frame): {json.dumps(report.facts.get('first_render_ms', {}))}")
    print(f"each view's first load (ms): {json.dumps(report.facts.get('timing_ms', {}))}")
    print(f"API requests per view: {json.dumps(report.facts.get('api_requests', {}))}")
    print(f"{report.passed} checks passed, {len(report.failures)} failed; screenshots and report.json in {arguments.out}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
