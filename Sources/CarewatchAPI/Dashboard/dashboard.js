// carewatch dashboard: plain JavaScript, SVG charts drawn from this server's API, nothing
// loaded from anywhere else. Views are addressed by the URL fragment (#/, #/councils/sandwell)
// and each asks the API at most three questions.
"use strict";

(() => {
  // MARK: Vocabulary

  const GRADES = [
    { key: "outstanding", label: "Outstanding" },
    { key: "good", label: "Good" },
    { key: "requires_improvement", label: "Requires improvement" },
    { key: "adequate", label: "Adequate" },
    { key: "inadequate", label: "Inadequate" },
    { key: "not_yet_inspected", label: "Not yet inspected" },
  ];
  const GRADE_LABEL = Object.fromEntries(GRADES.map((grade) => [grade.key, grade.label]));
  const JUDGEMENTS = [
    { key: "help_and_protection", label: "Help and protection" },
    { key: "children_in_care", label: "Children in care" },
    { key: "care_leavers", label: "Care leavers" },
    { key: "leadership", label: "Leadership" },
  ];
  const FRAMEWORKS = {
    ilacs: "ILACS inspection",
    sif: "Single inspection framework (SIF)",
    safeguarding_and_lac: "Safeguarding and looked-after children inspection",
    focused_visit: "Focused visit",
    monitoring_visit: "Monitoring visit",
    jtai: "Joint targeted area inspection",
  };
  const KINDS = {
    county: "County council",
    metropolitan_district: "Metropolitan district",
    london_borough: "London borough",
    unitary: "Unitary authority",
    city_of_london: "City of London",
    isles_of_scilly: "Isles of Scilly",
  };
  // The workforce measures the England view shows from DfE's national and regional rows.
  const MEASURES = [
    { key: "agency_rate", label: "Agency social workers", unit: "%" },
    { key: "vacancy_rate", label: "Vacancy rate", unit: "%" },
    { key: "turnover_rate", label: "Turnover", unit: "%" },
    { key: "caseload", label: "Average caseload", unit: "" },
  ];
  // The measures a council view compares (ids of GET /v1/measures), in page order, with what
  // each means; labels, units and decimals come with the comparison itself.
  // `how`: said beside the chart when carewatch, not DfE, computes the council's own figure.
  const COMPARED = [
    { key: "agency_rate", dataset: "workforce", about: "agency workers as a share of agency and employed FTE" },
    { key: "vacancy_rate", dataset: "workforce", about: "vacant posts as a share of vacancies and employed FTE" },
    { key: "turnover_rate", dataset: "workforce", about: "leavers in the year as a share of employed FTE" },
    { key: "caseload", dataset: "workforce", about: "cases per case-holding social worker" },
    { key: "absence_rate", dataset: "workforce", about: "working days lost to sickness" },
    { key: "cin_rate", dataset: "context", about: "children in need at 31 March per 10,000 children",
      how: "computed by carewatch as DfE does, from DfE's count and ONS's population of children a year earlier" },
    { key: "cla_rate", dataset: "context", about: "children looked after at 31 March per 10,000 children" },
  ];
  // DfE's symbols for a figure it withholds, as GET /v1/measures lists them. A withheld
  // figure is said to be withheld, never drawn as a zero or left as a silent gap.
  const SYMBOLS = {
    c: "confidential", k: "fewer than 5", u: "low reliability", x: "not available", z: "not applicable",
    low: "too small to show", ":": "not available", "-": "not available", ".": "not available",
  };
  // How a region's or England's figure was arrived at, as the comparison says (`basis`).
  const BASES = {
    published: { long: "DfE's published figures", short: "DfE's figure" },
    computed: { long: "computed by carewatch from DfE's own count and population for the area", short: "computed by carewatch" },
    pooled: { long: "pooled by carewatch from the councils' returns, as DfE published none", short: "pooled by carewatch" },
  };
  const FIRST_RATINGS_YEAR = 2014; // the first 31 March by which SIF inspections had graded councils

  // MARK: API

  /// GET a JSON document from this server; a problem+json answer becomes an Error with its detail.
  async function getJSON(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`;
      try {
        const problem = await response.json();
        detail = problem.detail || problem.title || detail;
      } catch (_) { /* not JSON: keep the status line */ }
      const error = new Error(detail);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  /// Every council with its latest graded inspection, fetched once and shared by the England
  /// view and the search box.
  let councilList = null;
  function allCouncils() {
    if (!councilList) {
      councilList = getJSON("/v1/councils?limit=500&sort=name").then((page) => page.data);
      councilList.catch(() => { councilList = null; });
    }
    return councilList;
  }

  /// A lookup asked of the server once per page, and again only after it failed.
  function askedOnce(load) {
    let answer = null;
    const get = () => {
      if (!answer) {
        answer = load();
        answer.catch(() => { answer = null; });
      }
      return answer;
    };
    get.forget = () => { answer = null; };
    return get;
  }

  /// The releases by id, and the measures by id with DfE's symbols, for the revisions panel.
  const allReleases = askedOnce(() => getJSON("/v1/releases?limit=500").then((page) => new Map(page.data.map((release) => [release.id, release]))));
  const allMeasures = askedOnce(() => getJSON("/v1/measures").then((answer) => ({
    byId: new Map(answer.data.map((measure) => [measure.id, measure])),
    symbols: new Map(answer.symbols.map((entry) => [entry.symbol, entry.meaning])),
  })));

  // MARK: Formatting

  // One formatter of each kind: making one per call is what costs.
  const counts = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
  const ticks = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });
  const longDates = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const moments = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
  const fmt = {
    count: (value) => (value == null ? "–" : counts.format(Math.round(value))),
    one: (value) => (value == null ? "–" : Number(value).toFixed(1)),
    percent: (value) => (value == null ? "–" : `${Number(value).toFixed(1)}%`),
    measure: (measure, value) => (value == null ? "–" : `${Number(value).toFixed(1)}${measure.unit}`),
    date: (iso) => (iso ? longDates.format(new Date(`${iso}T00:00:00Z`)) : "date not published"),
    moment: (iso) => `${moments.format(new Date(iso))} UTC`,
    /// A measure of the comparison, by the unit and decimals the API gives with it.
    value: (measure, value) => {
      if (value == null) return "–";
      if (measure.unit === "count") return counts.format(value);
      return `${Number(value).toFixed(measure.decimals)}${measure.unit === "percent" ? "%" : ""}`;
    },
    withheld: (symbol) => `withheld (${symbol})`,
    withheldLong: (symbol) => `withheld by DfE (“${symbol}”: ${SYMBOLS[symbol] || "withheld"})`,
  };

  function todayISO() {
    return new Date().toISOString().slice(0, 10);
  }

  // MARK: DOM

  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    setAttributes(element, attributes);
    append(element, children);
    return element;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function s(tag, attributes, ...children) {
    const element = document.createElementNS(SVG_NS, tag);
    setAttributes(element, attributes);
    append(element, children);
    return element;
  }

  function setAttributes(element, attributes) {
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") element.textContent = value;
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : String(value));
    }
  }

  function append(element, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : String(child));
    }
  }

  function link(href, text, attributes) {
    return h("a", { href, ...attributes }, text);
  }

  function councilLink(council) {
    return link(`#/councils/${encodeURIComponent(council.slug)}`, council.name);
  }

  function badge(grade) {
    const key = grade || "not_yet_inspected";
    return h("span", { class: `badge g-${key}` }, GRADE_LABEL[key] || key);
  }

  function panel(id, title, ...children) {
    return h("section", { class: "panel", id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), children);
  }

  /// A data table: caption, header cells, rows of cells ({text, num, href, header}).
  function table(caption, columns, rows, attributes) {
    return h("div", { class: "scroll" },
      h("table", attributes,
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", class: column.num ? "num" : null }, column.label)))),
        h("tbody", {}, rows.map((row) => h("tr", { class: row.className, "data-key": row.key },
          row.cells.map((cell, index) => {
            const content = cell.node || cell.text;
            if (index === 0) return h("th", { scope: "row" }, content);
            return h("td", { class: columns[index].num ? "num" : null, "data-field": columns[index].key }, content);
          }))))));
  }

  function figuresTable(summary, caption, columns, rows) {
    return h("details", {}, h("summary", {}, summary), table(caption, columns, rows));
  }

  function legend(items) {
    return h("ul", { class: "legend", "aria-hidden": "true" },
      items.map((item) => h("li", {}, h("span", { class: `swatch ${item.className}` }), item.label)));
  }

  // MARK: Charts
  //
  // A chart is a <div class="chart"> whose SVG is drawn to the width the page gives it, again
  // when that width changes. Bars, columns and points carry classes and data- attributes so
  // that the browser check can count them and read their values.

  function chart(name, draw) {
    const holder = h("div", { class: "chart", "data-chart": name });
    holder.draw = draw;
    return holder;
  }

  function drawCharts(root) {
    // Every width first, then every drawing: reading a width after a drawing would make the
    // browser lay the page out again for each chart.
    const holders = [...root.querySelectorAll(".chart")];
    const widths = holders.map((holder) => Math.max(280, Math.floor(holder.clientWidth || 600)));
    holders.forEach((holder, index) => {
      if (holder.drawnWidth === widths[index]) return;
      holder.drawnWidth = widths[index];
      holder.replaceChildren(holder.draw(widths[index]));
    });
  }

  function svgRoot(width, height, label) {
    return s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label, focusable: "false" });
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
  }

  /// Horizontal bars, one per row, the value written beside each.
  function barChart(name, label, rows) {
    return chart(name, (width) => {
      const labelWidth = Math.min(170, Math.round(width * 0.42));
      const valueWidth = 44;
      const rowHeight = 30;
      const height = rows.length * rowHeight + 4;
      const max = Math.max(1, ...rows.map((row) => row.value));
      const barSpace = width - labelWidth - valueWidth - 8;
      const svg = svgRoot(width, height, label);
      rows.forEach((row, index) => {
        const y = index * rowHeight + 2;
        const barWidth = Math.max(row.value > 0 ? 2 : 0, (row.value / max) * barSpace);
        svg.append(s("g", { class: "bar-row", "data-category": row.key },
          s("text", { x: labelWidth - 8, y: y + rowHeight / 2 + 4, "text-anchor": "end", class: "label" }, row.label),
          s("rect", { class: `bar ${row.className}`, x: labelWidth, y: y + 4, width: barWidth.toFixed(1), height: rowHeight - 8, rx: 2 },
            s("title", {}, `${row.label}: ${row.text}`)),
          s("text", { x: labelWidth + barWidth + 6, y: y + rowHeight / 2 + 4, class: "value" }, row.text)));
      });
      return svg;
    });
  }

  /// Stacked columns: one per date, a segment per category with a count.
  function stackedColumns(name, label, columns, categories) {
    return chart(name, (width) => {
      const height = 240;
      const margin = { top: 10, right: 8, bottom: 26, left: 34 };
      const innerWidth = width - margin.left - margin.right;
      const innerHeight = height - margin.top - margin.bottom;
      const max = niceMax(Math.max(1, ...columns.map((column) => column.total)));
      const slot = innerWidth / columns.length;
      const barWidth = Math.max(6, Math.min(36, slot * 0.7));
      const svg = svgRoot(width, height, label);
      for (const tick of [0, max / 2, max]) {
        const y = margin.top + innerHeight - (tick / max) * innerHeight;
        svg.append(s("line", { class: "gridline", x1: margin.left, x2: width - margin.right, y1: y, y2: y }),
          s("text", { class: "tick", x: margin.left - 4, y: y + 4, "text-anchor": "end" }, fmt.count(tick)));
      }
      const everyOther = slot < 34;
      columns.forEach((column, index) => {
        const x = margin.left + index * slot + (slot - barWidth) / 2;
        let y = margin.top + innerHeight;
        const group = s("g", { class: "column", "data-as-of": column.asOf });
        for (const category of categories) {
          const value = column.counts[category.key] || 0;
          if (value === 0) continue;
          const segmentHeight = (value / max) * innerHeight;
          y -= segmentHeight;
          group.append(s("rect", { class: `segment g-${category.key}`, "data-category": category.key, "data-value": value,
            x: x.toFixed(1), y: y.toFixed(1), width: barWidth.toFixed(1), height: segmentHeight.toFixed(1) },
          s("title", {}, `${column.label}: ${category.label} ${value}`)));
        }
        if (!everyOther || index % 2 === (columns.length - 1) % 2) {
          group.append(s("text", { class: "tick", x: x + barWidth / 2, y: height - 8, "text-anchor": "middle" }, column.short));
        }
        svg.append(group);
      });
      return svg;
    });
  }

  /// Lines over years, one per series, with a point for every value. A year without a figure
  /// is a gap; a year whose figure DfE withheld is a gap with a "withheld" mark carrying
  /// DfE's symbol, never a zero. `band` (a low and high per year) is shaded behind the lines.
  /// Series points: { year, value, status, title, className } (title/className optional).
  /// `suffix` follows each axis value ("%").
  function lineChart(name, label, series, years, format, { height = 200, band = null, suffix = "" } = {}) {
    return chart(name, (width) => {
      const margin = { top: 10, right: 12, bottom: 26, left: 44 };
      const innerWidth = width - margin.left - margin.right;
      const innerHeight = height - margin.top - margin.bottom;
      const values = series.flatMap((line) => line.points.map((point) => point.value));
      if (band) values.push(...band.points.map((point) => point.high));
      const max = niceMax(Math.max(0, ...values.filter((value) => value != null)));
      const first = years[0];
      const span = years[years.length - 1] - first;
      const x = (year) => margin.left + (span === 0 ? innerWidth / 2 : ((year - first) / span) * innerWidth);
      const y = (value) => margin.top + innerHeight - (value / max) * innerHeight;
      const svg = svgRoot(width, height, label);
      for (const tick of [0, max / 2, max]) {
        svg.append(s("line", { class: "gridline", x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick) }),
          s("text", { class: "tick", x: margin.left - 4, y: y(tick) + 4, "text-anchor": "end" }, `${ticks.format(tick)}${suffix}`));
      }
      const step = Math.ceil(years.length / Math.max(1, Math.floor(innerWidth / 44)));
      years.forEach((year, index) => {
        if (index % step === (years.length - 1) % step) {
          svg.append(s("text", { class: "tick", x: x(year), y: height - 8, "text-anchor": "middle" }, String(year)));
        }
      });
      if (band) svg.append(bandShape(band, x, y, format));
      series.forEach((line, index) => {
        const group = s("g", { class: "series", "data-series": line.key });
        let path = "";
        let open = false;
        for (const point of line.points) {
          if (point.value == null) { open = false; continue; }
          path += `${open ? "L" : "M"}${x(point.year).toFixed(1)},${y(point.value).toFixed(1)}`;
          open = true;
        }
        if (path) group.append(s("path", { class: `line ${line.className}`, d: path }));
        for (const point of line.points) {
          if (point.value != null) {
            group.append(s("circle", { class: `point ${line.className}${point.className ? ` ${point.className}` : ""}`,
              cx: x(point.year).toFixed(1), cy: y(point.value).toFixed(1), r: line.radius || 4, "data-year": point.year, "data-value": point.value },
            s("title", {}, point.title || `${line.label}, ${point.year}: ${format(point.value)}`)));
          } else if (point.status) {
            // Stacked above the axis by series, so two withheld marks of one year do not overlap.
            const top = margin.top + innerHeight - 18 - index * 18;
            group.append(s("g", { class: `withheld ${line.className}`, "data-year": point.year, "data-status": point.status },
              s("rect", { x: (x(point.year) - 12).toFixed(1), y: top, width: 24, height: 15, rx: 3 }),
              s("text", { x: x(point.year).toFixed(1), y: top + 11, "text-anchor": "middle" }, point.status),
              s("title", {}, `${line.label}, ${point.year}: ${fmt.withheldLong(point.status)}`)));
          }
        }
        svg.append(group);
      });
      return svg;
    });
  }

  /// A shaded band through each run of consecutive years that have both a low and a high, and
  /// a whisker for each year (so that a year standing alone still shows its range).
  function bandShape(band, x, y, format) {
    const group = s("g", { class: "band", "data-band": band.key });
    const known = band.points.filter((point) => point.low != null && point.high != null);
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        const top = run.map((point) => `${x(point.year).toFixed(1)},${y(point.high).toFixed(1)}`);
        const bottom = run.slice().reverse().map((point) => `${x(point.year).toFixed(1)},${y(point.low).toFixed(1)}`);
        group.append(s("path", { class: "band-area", d: `M${top.join("L")}L${bottom.join("L")}Z` }));
      }
      run = [];
    };
    known.forEach((point, index) => {
      if (index > 0 && point.year !== known[index - 1].year + 1) flush();
      run.push(point);
    });
    flush();
    for (const point of known) {
      group.append(s("line", { class: "band-range", x1: x(point.year).toFixed(1), x2: x(point.year).toFixed(1),
        y1: y(point.low).toFixed(1), y2: y(point.high).toFixed(1), "data-year": point.year, "data-low": point.low, "data-high": point.high },
      s("title", {}, `${band.label}, ${point.year}: ${format(point.low)} to ${format(point.high)}`)));
    }
    return group;
  }

  /// Inspections on a time axis: graded ones filled with their grade, visits hollow below.
  function timeline(name, label, events) {
    return chart(name, (width) => {
      const height = 96;
      const margin = { left: 16, right: 16 };
      const dated = events.filter((event) => event.date);
      const times = dated.map((event) => Date.parse(`${event.date}T00:00:00Z`));
      const first = new Date(Math.min(...times, Date.now()));
      const start = Date.UTC(first.getUTCFullYear(), 0, 1);
      const end = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
      const x = (time) => margin.left + ((time - start) / (end - start)) * (width - margin.left - margin.right);
      const svg = svgRoot(width, height, label);
      svg.append(s("line", { class: "axis", x1: margin.left, x2: width - margin.right, y1: 58, y2: 58 }));
      const years = [];
      for (let year = new Date(start).getUTCFullYear(); year <= new Date(end).getUTCFullYear(); year += 1) years.push(year);
      const step = Math.ceil(years.length / Math.max(1, Math.floor((width - 32) / 48)));
      years.forEach((year, index) => {
        if (index % step !== 0) return;
        const position = x(Date.UTC(year, 0, 1));
        svg.append(s("line", { class: "axis", x1: position, x2: position, y1: 54, y2: 62 }),
          s("text", { class: "tick", x: position, y: 80, "text-anchor": "middle" }, String(year)));
      });
      for (const event of dated) {
        const time = Date.parse(`${event.date}T00:00:00Z`);
        svg.append(s("circle", { class: `point event ${event.graded ? `g-${event.grade}` : "g-none"}`, cx: x(time).toFixed(1),
          cy: event.graded ? 30 : 46, r: event.graded ? 8 : 5, "data-id": event.id },
        s("title", {}, event.title)));
      }
      return svg;
    });
  }

  // MARK: England

  /// 31 March of every year since the first graded inspections, and today: the as-at replay.
  function ratingDates() {
    const today = todayISO();
    const dates = [];
    for (let year = FIRST_RATINGS_YEAR; year <= Number(today.slice(0, 4)); year += 1) {
      const date = `${year}-03-31`;
      if (date < today) dates.push(date);
    }
    dates.push(today);
    return dates;
  }

  function goodOrBetter(group) {
    if (!group.graded) return null;
    return ((group.counts.outstanding + group.counts.good) / group.graded) * 100;
  }

  /// DfE's own rows for England and the regions (GET /v1/figures?dataset=workforce), by area
  /// name and year: the figures DfE publishes for each area, not a pooling of councils. (The
  /// answer also holds the joint returns of pairs of councils, left out here.)
  function publishedAreas(rows) {
    const byArea = new Map();
    const years = new Set();
    for (const row of rows) {
      if (row.level === "local_authority") continue;
      if (!byArea.has(row.name)) byArea.set(row.name, new Map());
      byArea.get(row.name).set(row.year, row);
      if (row.level === "national") years.add(row.year);
    }
    return { byArea, years: [...years].sort((a, b) => a - b) };
  }

  /// One figure of a published row: its number, or DfE's symbol when withheld.
  function reading(row, key) {
    if (!row) return { value: null, status: null };
    return { value: row.values[key] ?? null, status: (row.suppressed && row.suppressed[key]) || null };
  }

  function readingText(measure, { value, status }) {
    if (value != null) return fmt.measure(measure, value);
    return status ? fmt.withheld(status) : "–";
  }

  async function englandView() {
    const dates = ratingDates();
    const [series, councils, figures] = await Promise.all([
      getJSON(`/v1/stats/ratings/series?as_of=${dates.join(",")}`),
      allCouncils(),
      getJSON("/v1/figures?dataset=workforce&limit=500"),
    ]);
    const areas = publishedAreas(figures.data);
    const england = areas.byArea.get("England") || new Map();
    const points = series.points;
    const now = points[points.length - 1];
    const national = now.national;
    const shownGrades = GRADES.filter((grade) =>
      !["adequate", "not_yet_inspected"].includes(grade.key) || points.some((point) => point.national.counts[grade.key] > 0));
    const nowGrades = GRADES.filter((grade) => !["adequate", "not_yet_inspected"].includes(grade.key) || national.counts[grade.key] > 0);
    const latestYear = areas.years[areas.years.length - 1];
    const latestEngland = england.get(latestYear);
    const inadequate = councils
      .filter((council) => council.latest_inspection && council.latest_inspection.overall === "inadequate")
      .sort((a, b) => (b.latest_inspection.published || "").localeCompare(a.latest_inspection.published || ""));

    const cards = h("div", { class: "cards" },
      card(fmt.count(national.councils), "councils with children's services"),
      card(fmt.percent(goodOrBetter(national)), `good or outstanding (of ${national.graded} graded)`, "good-or-better"),
      card(fmt.count(national.counts.inadequate), "judged inadequate", "inadequate-count"),
      latestEngland ? card(readingText(MEASURES[0], reading(latestEngland, "agency_rate")), `agency social workers, England, 30 September ${latestYear} (DfE)`, "agency") : null,
      latestEngland ? card(readingText(MEASURES[1], reading(latestEngland, "vacancy_rate")), `vacancy rate, England, 30 September ${latestYear} (DfE)`, "vacancy") : null);

    const nowChart = barChart("ratings-now", `Councils by latest overall Ofsted grade on ${fmt.date(now.as_of)}`,
      nowGrades.map((grade) => ({ key: grade.key, label: grade.label, value: national.counts[grade.key], text: fmt.count(national.counts[grade.key]), className: `g-${grade.key}` })));

    const columns = points.map((point, index) => {
      const last = index === points.length - 1;
      return {
        asOf: point.as_of, counts: point.national.counts, total: point.national.councils,
        label: last ? `Now (${fmt.date(point.as_of)})` : fmt.date(point.as_of),
        short: last ? "now" : `’${point.as_of.slice(2, 4)}`,
      };
    });
    const overTime = stackedColumns("ratings-over-time", `Councils by overall grade on 31 March each year from ${FIRST_RATINGS_YEAR}, and now`, columns, shownGrades);

    const regionRows = now.regions.map((group) => regionRow(group.region, group));
    regionRows.push({ ...regionRow("England", national), className: "total" });
    const regionColumns = [{ key: "region", label: "Region" }, { key: "councils", label: "Councils", num: true },
      ...nowGrades.map((grade) => ({ key: grade.key, label: grade.label, num: true })),
      { key: "good_or_better", label: "Good or better", num: true },
      ...MEASURES.map((measure) => ({ key: measure.key, label: measure.label, num: true }))];
    function regionRow(name, group) {
      const row = (areas.byArea.get(name) || new Map()).get(latestYear);
      return {
        key: name,
        cells: [{ text: name }, { text: fmt.count(group.councils) },
          ...nowGrades.map((grade) => ({ text: fmt.count(group.counts[grade.key]) })),
          { text: fmt.percent(goodOrBetter(group)) },
          ...MEASURES.map((measure) => ({ text: readingText(measure, reading(row, measure.key)) }))],
      };
    }

    const trendMeasures = [["agency_rate", "Agency social workers", "s-1"], ["vacancy_rate", "Vacancy rate", "s-2"], ["turnover_rate", "Turnover", "s-3"]];
    const trend = lineChart("england-workforce", "England's agency, vacancy and turnover rates at 30 September each year, DfE's published figures",
      trendMeasures.map(([key, label, className]) => ({ key, label, className,
        points: areas.years.map((year) => ({ year, ...reading(england.get(year), key) })) })),
      areas.years, fmt.percent, { height: 220, suffix: "%" });

    const node = h("div", { class: "view-england" },
      h("h1", {}, "Children's services in England"),
      h("p", { class: "lead" }, `Ofsted grades of the ${national.councils} councils with children's services duties, and their social work workforce.`),
      cards,
      h("div", { class: "grid" },
        panel("now", "Latest overall grade",
          h("p", { class: "meta" }, `Each council's most recent graded inspection published by ${fmt.date(now.as_of)}.`),
          nowChart),
        panel("over-time", "Grades over time",
          h("p", { class: "meta" }, "The grade in force on 31 March each year: the latest graded inspection published by then."),
          overTime, legend(shownGrades.map((grade) => ({ className: `g-${grade.key}`, label: grade.label }))),
          figuresTable("The figures as a table", "Councils by grade on each date",
            [{ key: "as_of", label: "On" }, ...shownGrades.map((grade) => ({ key: grade.key, label: grade.label, num: true }))],
            columns.map((column) => ({ key: column.asOf, cells: [{ text: column.label }, ...shownGrades.map((grade) => ({ text: fmt.count(column.counts[grade.key]) }))] }))))),
      panel("inadequate", `Councils judged inadequate (${inadequate.length})`,
        inadequate.length === 0 ? h("p", {}, "None.") :
          table("Councils whose latest graded inspection judged them inadequate, most recent first",
            [{ key: "council", label: "Council" }, { key: "region", label: "Region" }, { key: "published", label: "Report published" }],
            inadequate.map((council) => ({ key: council.code, cells: [{ node: councilLink(council) }, { text: council.region }, { text: fmt.date(council.latest_inspection.published) }] })),
            { "data-table": "inadequate" })),
      panel("regions", "Regions",
        table(`Grades now, and workforce pressure${latestYear ? ` at 30 September ${latestYear}: DfE's published figures for each region and England` : ""}`,
          regionColumns, regionRows, { "data-table": "regions" })),
      panel("workforce", "The workforce in England over time",
        areas.years.length === 0 ? h("p", {}, "No figures of DfE's for England are loaded.") : [
        h("p", { class: "meta" }, "DfE's own figures for England at 30 September each year, as it publishes them in its national row."),
        trend, legend(trendMeasures.map(([, label, className]) => ({ className, label }))),
        figuresTable("The figures as a table", "England's agency, vacancy and turnover rates by year (DfE)",
          [{ key: "year", label: "Year" }, ...trendMeasures.map(([key, label]) => ({ key, label, num: true }))],
          areas.years.map((year) => ({ key: year, cells: [{ text: String(year) },
            ...trendMeasures.map(([key]) => ({ text: readingText(MEASURES.find((measure) => measure.key === key), reading(england.get(year), key)) }))] })))]));
    return { title: "England", node, announce: "England view loaded" };
  }

  function card(figure, label, key) {
    return h("p", { class: "card", "data-card": key }, h("span", { class: "figure" }, figure), h("span", { class: "label" }, label));
  }

  // MARK: Council
  //
  // Three requests: every council (shared with the search box and the England view, so it is
  // asked once per page: it gives this council's record and its neighbours' latest grades),
  // the council's inspections, and its comparison with its statistical neighbours, region
  // and England (GET /v1/councils/{c}/compare, which carries the council's own figures and
  // its neighbour list too). A neighbour's view then costs two requests. What DfE revised
  // would be a fourth, so that panel asks only when the reader opens it.
  //
  // The panels, in page order; each takes the loaded data and returns a section.

  const COUNCIL_PANELS = [
    latestInspectionPanel,
    timelinePanel,
    workforcePanel,
    neighboursPanel,
    contextPanel,
    revisionsPanel,
  ];

  async function councilView(key) {
    const base = `/v1/councils/${encodeURIComponent(key)}`;
    let councils;
    let inspections;
    let comparison;
    try {
      [councils, inspections, comparison] = await Promise.all([
        allCouncils(), getJSON(`${base}/inspections?limit=500`), getJSON(`${base}/compare?measures=${COMPARED.map((measure) => measure.key).join(",")}`)]);
    } catch (error) {
      if (error.status === 404) return missingView(`No council is named “${key}”.`);
      throw error;
    }
    let council = councils.find((entry) => entry.code === comparison.council.code);
    if (!council) {
      // Added since this page listed the councils: list them again (only then a fourth request).
      councilList = null;
      councils = await allCouncils();
      council = councils.find((entry) => entry.code === comparison.council.code);
      if (!council) throw new Error(`${comparison.council.name} is missing from the list of councils.`);
    }
    const byCode = new Map(councils.map((entry) => [entry.code, entry]));
    const data = { council, byCode, inspections: inspections.data, comparison };
    const kind = KINDS[council.kind] || council.kind;
    const node = h("div", { class: "view-council", "data-council": council.code },
      h("h1", {}, council.name),
      h("p", { class: "meta" }, `${council.region} · ${kind} · GSS code ${council.code} · DfE LA ${council.la_code}`,
        council.former_codes.length ? ` · formerly ${council.former_codes.join(", ")}` : ""),
      COUNCIL_PANELS.map((render) => render(data)));
    return { title: council.name, node, announce: `${council.name} loaded` };
  }

  function latestInspectionPanel({ council, inspections }) {
    const latest = council.latest_inspection && inspections.find((inspection) => inspection.id === council.latest_inspection.id);
    if (!latest) {
      return panel("latest", "Latest inspection", h("p", {}, badge(null), " No graded inspection is on record."));
    }
    const since = inspections.filter((inspection) => inspection.overall == null && inspection.published && latest.published && inspection.published > latest.published);
    return panel("latest", "Latest inspection",
      h("p", { class: "overall" }, "Overall effectiveness: ", badge(latest.overall)),
      h("p", { class: "meta" }, `${FRAMEWORKS[latest.framework] || latest.framework}, published ${fmt.date(latest.published)}`,
        latest.report_url ? [" · ", link(latest.report_url, "Ofsted's reports", { rel: "noopener noreferrer" })] : null),
      h("dl", { class: "judgements" }, JUDGEMENTS.map((judgement) => [
        h("dt", {}, judgement.label),
        h("dd", { "data-judgement": judgement.key }, latest.judgements[judgement.key] ? badge(latest.judgements[judgement.key]) : h("span", { class: "note" }, "not judged")),
      ])),
      since.length ? h("p", { class: "note" }, `Since then: ${since.map((visit) => `${(FRAMEWORKS[visit.framework] || visit.framework).toLowerCase()}${visit.visit_theme ? ` (${visit.visit_theme})` : ""}, ${fmt.date(visit.published)}`).join("; ")}.`) : null);
  }

  function timelinePanel({ council, inspections }) {
    const events = inspections.map((inspection) => ({
      id: inspection.id, date: inspection.published, graded: inspection.overall != null, grade: inspection.overall,
      title: `${fmt.date(inspection.published)}: ${FRAMEWORKS[inspection.framework] || inspection.framework}${inspection.overall ? `, ${GRADE_LABEL[inspection.overall]}` : ""}`,
    }));
    const graded = GRADES.filter((grade) => inspections.some((inspection) => inspection.overall === grade.key));
    return panel("timeline", `Inspections and visits (${inspections.length})`,
      timeline("timeline", `${council.name}: ${inspections.length} inspections and visits over time`, events),
      legend([...graded.map((grade) => ({ className: `g-${grade.key}`, label: grade.label })), { className: "hollow", label: "Visit or ungraded inspection" }]),
      h("ol", { class: "timeline-list", reversed: true }, inspections.map((inspection) => h("li", { "data-id": inspection.id },
        h("strong", {}, fmt.date(inspection.published)), " — ", FRAMEWORKS[inspection.framework] || inspection.framework,
        inspection.visit_theme ? ` (${inspection.visit_theme})` : "",
        inspection.overall ? [": ", badge(inspection.overall)] : null))));
  }

  /// What the comparison says of a region's or England's figures across the years: DfE's
  /// published figure, or how carewatch made it where DfE published none.
  function basisNote(name, entries) {
    const years = {};
    for (const entry of entries) {
      if (entry && entry.basis) (years[entry.basis] = years[entry.basis] || []).push(entry.year);
    }
    const bases = Object.keys(years);
    if (bases.length === 0) return `${name}: no figure`;
    if (bases.length === 1) return `${name}: ${BASES[bases[0]].long}`;
    return `${name}: ${bases.map((basis) => `${BASES[basis].long} (${years[basis].join(", ")})`).join("; ")}`;
  }

  function jointNote(joint) {
    return `joint return of ${joint.name}: DfE publishes one figure for both councils`;
  }

  /// The council's workforce measures year by year against its statistical neighbours (their
  /// median, and the band from the lowest to the highest of them), its region and England.
  function workforcePanel(data) {
    return comparePanel(data, {
      id: "workforce", title: "Social work workforce against councils like it", dataset: "workforce",
      intro: "DfE's figures at 30 September each year (flows over the year to it).",
      none: `DfE publishes no workforce figures for ${data.council.name} (nor a joint return it makes).`,
    });
  }

  /// The demand the workforce meets: children in need and children looked after, per 10,000
  /// children, against the same neighbours, region and England.
  function contextPanel(data) {
    return comparePanel(data, {
      id: "context", title: "Children in need and in care, for context", dataset: "context",
      intro: "At 31 March each year, per 10,000 children aged 0 to 17.",
      none: `DfE publishes no figures of children in need or looked after for ${data.council.name}.`,
    });
  }

  function comparePanel({ council, comparison }, options) {
    const group = comparison.neighbours;
    const wanted = COMPARED.filter((measure) => measure.dataset === options.dataset);
    const measures = wanted.map((entry) => comparison.measures.find((measure) => measure.measure === entry.key)).filter(Boolean);
    if (measures.every((measure) => measure.years.length === 0)) return panel(options.id, options.title, h("p", {}, options.none));
    const joints = new Map();
    const neighbourJoints = new Map();
    for (const measure of measures) {
      for (const year of measure.years) {
        if (year.joint_return) joints.set(year.joint_return.area, year.joint_return);
        for (const joint of (year.neighbours && year.neighbours.joint_returns) || []) neighbourJoints.set(joint.area, joint);
      }
    }
    const legendItems = [{ className: "s-1", label: council.name }];
    if (group) legendItems.push({ className: "s-2 dashed", label: "Neighbours' median" }, { className: "band", label: "Neighbours' range (lowest to highest)" });
    legendItems.push({ className: "s-3", label: council.region }, { className: "s-4", label: "England" });
    return panel(options.id, options.title,
      h("p", { class: "meta" }, `${options.intro} ${council.name} beside ${group ? `its ${group.members.length} statistical neighbours (DfE's ${group.model} model): their median, and shaded the range from the lowest to the highest of them; ` : ""}${council.region} and England. A year DfE withheld is marked with its symbol, not drawn.`),
      legend(legendItems),
      [...joints.values()].map((joint) => h("p", { class: "note joint-note" }, `Hollow points are the ${jointNote(joint)}.`)),
      neighbourJoints.size ? h("p", { class: "note" }, `Neighbours' figures include the joint return${neighbourJoints.size > 1 ? "s" : ""} of ${[...neighbourJoints.values()].map((joint) => joint.name).join("; ")}.`) : null,
      h("div", { class: "grid" }, measures.map((measure) => measureBlock(council, group, measure, wanted.find((entry) => entry.key === measure.measure)))));
  }

  /// One measure: its latest figure, rank and change, a chart of every year with a line each
  /// for the council, its neighbours' median, its region and England (the neighbours' range
  /// shaded), what the area figures are, and the figures as a table.
  function measureBlock(council, group, measure, about) {
    const region = council.region;
    const format = (value) => fmt.value(measure, value);
    const years = measure.years.map((entry) => entry.year);
    const latest = [...measure.years].reverse().find((entry) => entry.value != null || entry.status);
    if (years.length === 0) {
      return h("div", { class: "measure", "data-measure": measure.measure }, h("div", { class: "measure-head" }, h("h3", {}, measure.label),
        h("span", { class: "note" }, "no figures")));
    }
    const describe = (value, status) => (value != null ? format(value) : status ? fmt.withheldLong(status) : "no figure");
    const series = [{ key: "council", label: council.name, className: "s-1", radius: 4.5, points: measure.years.map((entry) => ({
      year: entry.year, value: entry.value, status: entry.status, className: entry.joint_return ? "joint" : null,
      title: `${council.name}, ${entry.year}: ${describe(entry.value, entry.status)}${entry.joint_return ? ` (${jointNote(entry.joint_return)})` : ""}${entry.rank ? `; rank ${entry.rank} of ${entry.ranked}` : ""}`,
    })) }];
    if (group) {
      series.push({ key: "neighbours", label: "Neighbours' median", className: "s-2 dashed", radius: 3, points: measure.years.map((entry) => ({
        year: entry.year, value: entry.neighbours.median, status: null,
        title: `Neighbours' median, ${entry.year}: ${format(entry.neighbours.median)} (${entry.neighbours.with_value} of ${entry.neighbours.of} with a figure)`,
      })) });
    }
    const areaPoints = (key) => measure.years.map((entry) => {
      const figure = entry[key];
      return { year: entry.year, value: figure.value, status: figure.value == null ? figure.status : null,
        title: `${figure.name}, ${entry.year}: ${describe(figure.value, figure.status)}${figure.value != null ? ` (${BASES[figure.basis].short})` : ""}` };
    });
    series.push({ key: "region", label: region, className: "s-3", radius: 3, points: areaPoints("region") },
      { key: "england", label: "England", className: "s-4", radius: 3, points: areaPoints("england") });
    const band = group ? { key: "neighbours", label: "Neighbours' range",
      points: measure.years.map((entry) => ({ year: entry.year, low: entry.neighbours.min, high: entry.neighbours.max })) } : null;

    const valueText = (entry) => {
      if (entry.value == null) return entry.status ? fmt.withheld(entry.status) : "–";
      return `${format(entry.value)}${entry.joint_return ? " (joint return)" : ""}`;
    };
    const areaText = (figure) => {
      if (figure.value == null) return figure.status ? fmt.withheld(figure.status) : "–";
      return `${format(figure.value)}${figure.basis === "published" ? "" : ` (${figure.basis})`}`;
    };
    const columns = [{ key: "year", label: "Year" }, { key: "council", label: council.name, num: true }, { key: "rank", label: "Rank (quartile)", num: true }];
    if (group) columns.push({ key: "neighbours_median", label: "Neighbours' median", num: true }, { key: "neighbours_range", label: "Neighbours' range", num: true });
    columns.push({ key: "region", label: region, num: true }, { key: "england", label: "England", num: true });
    const rows = measure.years.map((entry) => {
      const summary = entry.neighbours;
      const cells = [{ text: String(entry.year) }, { text: valueText(entry) }, { text: entry.rank ? `${entry.rank} of ${entry.ranked} (${entry.quartile})` : "–" }];
      if (group) {
        cells.push({ text: summary.median != null ? `${format(summary.median)}${summary.with_value < summary.of ? ` (${summary.with_value} of ${summary.of})` : ""}` : "–" },
          { text: summary.min != null ? `${format(summary.min)}–${format(summary.max)}` : "–" });
      }
      cells.push({ text: areaText(entry.region) }, { text: areaText(entry.england) });
      return { key: entry.year, cells };
    });
    const order = { lower_is_better: "A = best quarter; lower is better", higher_is_better: "A = best quarter; higher is better" }[measure.direction]
      || "1 = highest, A = highest quarter";
    const bases = `${basisNote(region, measure.years.map((entry) => ({ year: entry.year, ...entry.region })))}. ${basisNote("England", measure.years.map((entry) => ({ year: entry.year, ...entry.england })))}.`;
    return h("div", { class: "measure", "data-measure": measure.measure },
      h("div", { class: "measure-head" },
        h("h3", {}, measure.label),
        latest ? h("span", {}, h("span", { class: "latest" }, latest.value != null ? format(latest.value) : fmt.withheld(latest.status)), ` in ${latest.year}`)
          : h("span", { class: "note" }, "no figures")),
      latest && latest.rank ? h("p", { class: "rank" }, `Rank ${latest.rank} of ${latest.ranked} councils, quartile ${latest.quartile} (${order})`) : null,
      latest && latest.value == null ? h("p", { class: "note withheld-note" }, `${latest.year}: ${fmt.withheldLong(latest.status)}.`) : null,
      latest && latest.joint_return ? h("p", { class: "note joint-note" }, `${latest.year}: the ${jointNote(latest.joint_return)}.`) : null,
      latest && latest.change != null ? h("p", { class: "change" },
        `${latest.change > 0 ? "+" : latest.change < 0 ? "−" : "±"}${Math.abs(latest.change).toFixed(measure.decimals)}${measure.unit === "percent" ? " points" : ""} on ${latest.year - 1}`) : null,
      lineChart(`compare-${measure.measure}`, `${measure.label} (${about.about}) by year: ${council.name}${group ? `, its ${group.members.length} statistical neighbours' median and range` : ""}, ${region} and England`,
        series, years, format, { height: 180, band, suffix: measure.unit === "percent" ? "%" : "" }),
      h("p", { class: "basis" }, about.how ? `${council.name}: ${about.how}. ${bases}` : bases),
      figuresTable("The figures as a table", `${measure.label}: ${council.name} against its neighbours, ${region} and England, by year`, columns, rows));
  }

  /// The council's statistical neighbours, closest first, each with its latest grade and a
  /// link to its own view; authorities that no longer exist link to their successors.
  function neighboursPanel({ council, byCode, comparison }) {
    const group = comparison.neighbours;
    if (!group || group.members.length === 0) {
      return panel("neighbours", "Statistical neighbours", h("p", {}, `DfE's statistical neighbour model has no list for ${council.name}.`));
    }
    const grades = new Map();
    const rows = group.members.map((member) => {
      // A current council missing from the page's list (added since) still links to its view.
      const current = member.current && (byCode.get(member.code) || { slug: member.slug, name: member.name, region: "–" });
      const latest = current && current.latest_inspection;
      if (current) grades.set(latest ? latest.overall : "not_yet_inspected", (grades.get(latest ? latest.overall : "not_yet_inspected") || 0) + 1);
      const name = current ? councilLink(current) : h("span", {}, member.name || `DfE number ${member.la_code}`,
        h("span", { class: "note" }, ` (abolished ${fmt.date(member.abolished)}${member.succeeded_by && member.succeeded_by.length ? "; now " : ""}`,
          (member.succeeded_by || []).map((successor, index) => [index ? " and " : "",
            successor.slug ? link(`#/councils/${encodeURIComponent(successor.slug)}`, successor.name) : successor.name || successor.code]), ")"));
      return { key: member.code || String(member.la_code), cells: [
        { text: String(member.rank) }, { node: name }, { text: member.closeness || "–" }, { text: current ? current.region : "–" },
        { node: current ? badge(latest && latest.overall) : h("span", { class: "note" }, "–") },
        { text: latest ? fmt.date(latest.published) : "–" }] };
    });
    const own = council.latest_inspection ? council.latest_inspection.overall : "not_yet_inspected";
    const summary = GRADES.filter((grade) => grades.get(grade.key)).map((grade) => `${grades.get(grade.key)} ${grade.label.toLowerCase()}`).join(", ");
    return panel("neighbours", `Statistical neighbours (${group.members.length})`,
      h("p", { class: "meta" }, `The councils most like ${council.name} in DfE's children's services statistical neighbour model ${group.model}, closest first.`),
      group.list_of ? h("p", { class: "note" }, group.list_of.note) : null,
      h("p", {}, `Their latest overall grades: ${summary || "none"}. ${council.name}: `, badge(own), "."),
      table(`${council.name}'s statistical neighbours (DfE model ${group.model}) and their latest overall Ofsted grade`,
        [{ key: "rank", label: "Rank", num: true }, { key: "council", label: "Council" }, { key: "closeness", label: "Closeness" },
          { key: "region", label: "Region" }, { key: "grade", label: "Latest grade" }, { key: "published", label: "Report published" }],
        rows, { "data-table": "neighbours" }));
  }

  /// What DfE revised in figures it had already published for the council (a later release
  /// changing a figure, a number becoming a symbol and back), and any figure an import or an
  /// API write changed since. The view has asked its three questions already, so the panel
  /// comes closed and asks only when the reader opens it: the council's revisions, then, if
  /// there are any, the measures' names and the releases' titles and dates (once per page).
  function revisionsPanel({ council }) {
    const body = h("div", { class: "revisions", "data-state": "closed" });
    const details = h("details", { id: "revisions-details" },
      h("summary", {}, "Show the revised figures"), body);
    details.addEventListener("toggle", () => {
      if (details.open && ["closed", "failed"].includes(body.dataset.state)) loadRevisions(council, body);
    });
    return panel("revisions", "What DfE revised",
      h("p", { class: "meta" }, `Figures for ${council.name} that DfE changed in a later release after publishing them, and any that an import or an API write changed since: the figure before and after, and what changed it. `,
        "The list is asked of the server only when opened, so that the view itself asks three questions."),
      details);
  }

  async function loadRevisions(council, body) {
    body.dataset.state = "loading";
    body.setAttribute("aria-busy", "true");
    body.replaceChildren(h("p", { class: "loading" }, "Loading the revisions…"));
    const csv = `/v1/revisions?council=${encodeURIComponent(council.code)}&format=csv&limit=all`;
    try {
      const page = await getJSON(`/v1/revisions?council=${encodeURIComponent(council.code)}&limit=500`);
      const revisions = page.data;
      let content;
      if (revisions.length === 0) {
        content = h("p", { class: "none" }, `None: every figure held for ${council.name} is as first published, as far back as this server keeps history.`);
      } else {
        const [measures, releases] = await Promise.all([allMeasures(), releasesNamed(revisions)]);
        content = [
          h("p", { class: "count" }, `${page.total} revised figure${page.total === 1 ? "" : "s"}, oldest first, under what changed them.`),
          revisionGroups(revisions).map((group) => revisionGroup(council, group, measures, releases)),
          page.next_cursor ? h("p", { class: "note" }, `The first ${revisions.length} of ${page.total}; the CSV has them all.`) : null,
          h("p", { class: "meta" }, link(csv, "Download them as CSV")),
        ];
      }
      body.replaceChildren();
      append(body, [content]);
      body.dataset.state = "loaded";
      announce(`${page.total} revised figure${page.total === 1 ? "" : "s"} listed`);
    } catch (error) {
      body.replaceChildren(h("p", { class: "error", role: "alert" }, `Could not load the revisions: ${error.message}. Close and open the list to try again.`));
      body.dataset.state = "failed";
    }
    body.setAttribute("aria-busy", "false");
    performance.mark("carewatch:revisions", { detail: council.code });
  }

  /// The releases the revisions name; asked again once if one is newer than the page's list.
  async function releasesNamed(revisions) {
    const named = revisions.map((revision) => revision.release).filter(Boolean);
    if (named.length === 0) return new Map();
    let releases = await allReleases();
    if (named.some((id) => !releases.has(id))) {
      allReleases.forget();
      releases = await allReleases();
    }
    return releases;
  }

  /// The revisions in runs made by one write (a release's import, an API request: one store
  /// version each), in the API's order.
  function revisionGroups(revisions) {
    const groups = [];
    for (const revision of revisions) {
      const last = groups[groups.length - 1];
      if (last && last.version === revision.version) last.revisions.push(revision);
      else groups.push({ version: revision.version, revisions: [revision] });
    }
    return groups;
  }

  /// One write's revisions: what made it, then its figures before and after, a row each.
  function revisionGroup(council, group, measures, releases) {
    const [by, note] = madeBy(group.revisions[0], releases);
    const rows = group.revisions.map((revision) => {
      const measure = measures.byId.get(revision.measure);
      const own = revision.area === council.code || council.former_codes.includes(revision.area);
      return { key: `${revision.seq}:${revision.area}:${revision.year}:${revision.measure}`, cells: [
        { text: own ? String(revision.year) : `${revision.year}, ${revision.area_name || revision.area}` },
        { text: measure ? measure.label : revision.measure },
        { node: figureNode(revision.old, measure, measures.symbols) },
        { node: figureNode(revision.new, measure, measures.symbols) }] };
    });
    const figures = table(`${council.name}: ${rows.length} figure${rows.length === 1 ? "" : "s"} changed by ${by}`,
      [{ key: "year", label: "Year" }, { key: "measure", label: "Measure" }, { key: "old", label: "Before", num: true }, { key: "new", label: "After", num: true }],
      rows, { "data-table": "revisions" });
    figures.querySelector("caption").className = "visually-hidden"; // the heading above says it
    return h("div", { class: "revision-group", "data-version": group.version },
      h("h3", { class: "by" }, by), h("p", { class: "note by-note" }, note), figures);
  }

  /// A revised figure: its number by the measure's unit and decimals, DfE's symbol with what it
  /// means (never a number), or "none" when there was no figure.
  function figureNode(value, measure, symbols) {
    if (value == null) return h("span", { class: "note" }, "none");
    if (typeof value === "number") {
      if (!measure) return String(value);
      if (measure.unit === "count") return counts.format(value);
      return `${value.toFixed(measure.decimals)}${measure.unit === "percent" ? "%" : ""}`;
    }
    if (typeof value === "string") {
      return h("span", { class: "symbol", "data-symbol": value }, h("code", {}, value), `: ${symbols.get(value) || SYMBOLS[value] || "withheld"}`);
    }
    return JSON.stringify(value);
  }

  /// What made a revision, and a note: the release (its title; publisher and date), or who or
  /// what else (the request and the key's identifier of an API write, the file of an import)
  /// and when.
  function madeBy(revision, releases) {
    const by = revision.made_by;
    const when = h("time", { datetime: revision.at }, fmt.moment(revision.at));
    if (!by) return ["Not recorded", ["journaled before carewatch recorded what made a change; ", when]];
    const key = by.key_id ? `key ${by.key_id}, ` : "";
    switch (by.kind) {
      case "release": {
        const release = releases.get(by.release || revision.release);
        if (!release) return [`Release ${by.release || revision.release}`, [when]];
        return [release.title, [`${release.publisher}; `,
          release.published ? ["published ", h("time", { datetime: release.published }, fmt.date(release.published))] : release.published_note || "publication date not recorded"]];
      }
      case "write": return [`API write: ${by.request || "a request"}`, [key, when]];
      case "import": return [`Import of ${(by.file && by.file.name) || "a file"}`, [key, when]];
      case "seed": return ["The embedded data", [when]];
      case "restore": return ["A restore", [key, when]];
      default: return [by.kind, [key, when]];
    }
  }

  // MARK: Other views

  function missingView(message) {
    return {
      title: "Not found",
      node: h("div", {}, h("h1", {}, "Not found"), h("p", { class: "error", role: "alert" }, message), h("p", {}, link("#/", "Back to England"))),
      announce: message,
    };
  }

  function errorView(error) {
    return {
      title: "Could not load",
      node: h("div", {}, h("h1", {}, "Could not load this view"), h("p", { class: "error", role: "alert" }, error.message || String(error)),
        h("p", {}, link(location.hash || "#/", "Try again"))),
      announce: "Could not load this view",
    };
  }

  // MARK: Routing
  //
  // The script runs as soon as it arrives (async), so a view's requests start while the page
  // is still loading its style sheet; the view is put in the page once that has loaded, since
  // charts are drawn to the width the style sheet gives them.

  const pageLoaded = document.readyState === "complete"
    ? Promise.resolve()
    : new Promise((resolve) => window.addEventListener("load", resolve, { once: true }));
  let viewRoot = null;
  let renderCount = 0;

  /// Tells a screen reader what changed (a polite live region).
  function announce(text) {
    document.getElementById("status").textContent = text;
  }

  function route() {
    const path = location.hash.replace(/^#/, "") || "/";
    if (path === "/" || path === "/england") return show("england", englandView);
    const match = path.match(/^\/councils\/([^/]+)\/?$/);
    if (match) {
      let key = match[1];
      try { key = decodeURIComponent(key); } catch (_) { /* not percent-encoded text: use it as it is */ }
      return show(`council:${key}`, () => councilView(key));
    }
    return show("missing", async () => missingView(`There is no view at “${path}”.`));
  }

  async function show(key, build) {
    const ticket = ++renderCount;
    if (viewRoot) viewRoot.setAttribute("aria-busy", "true");
    let result;
    try {
      result = await build();
    } catch (error) {
      result = errorView(error);
    }
    await pageLoaded;
    if (ticket !== renderCount) return; // a later navigation has taken over
    viewRoot = viewRoot || document.getElementById("view");
    viewRoot.replaceChildren(result.node);
    viewRoot.setAttribute("aria-busy", "false");
    document.title = `${result.title} — carewatch`;
    drawCharts(viewRoot);
    const heading = viewRoot.querySelector("h1");
    if (heading) {
      heading.tabIndex = -1;
      if (ticket > 1) heading.focus();
    }
    announce(result.announce);
    document.documentElement.dataset.view = key;
    // "rendered": the view is in the document; "painted": the frame that shows it is drawn.
    performance.mark("carewatch:rendered", { detail: key });
    requestAnimationFrame(() => setTimeout(() => performance.mark("carewatch:painted", { detail: key }), 0));
  }

  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (viewRoot) drawCharts(viewRoot); }, 150);
  });
  window.addEventListener("hashchange", route);

  // MARK: Search

  let input = null;
  let results = null;
  let options = [];
  let active = -1;

  function closeResults() {
    results.hidden = true;
    results.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function setActive(index) {
    active = index;
    results.querySelectorAll("[role=option]").forEach((option, position) => option.setAttribute("aria-selected", String(position === index)));
    if (index >= 0) {
      const option = results.querySelector(`#search-option-${index}`);
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function rank(council, query) {
    const name = council.name.toLowerCase();
    if ([council.code.toLowerCase(), council.slug, String(council.la_code), ...council.former_codes.map((code) => code.toLowerCase())].includes(query)) return 0;
    if (name.startsWith(query)) return 1;
    if (name.split(/[\s,-]+/).some((word) => word.startsWith(query))) return 2;
    if (name.includes(query) || council.slug.includes(query.replace(/\s+/g, "-"))) return 3;
    return -1;
  }

  async function updateResults() {
    const query = input.value.trim().toLowerCase();
    if (!query) { closeResults(); return; }
    let councils;
    try {
      councils = await allCouncils();
    } catch (error) {
      results.replaceChildren(h("li", { class: "hint" }, `Could not load the councils: ${error.message}`));
      results.hidden = false;
      return;
    }
    if (input.value.trim().toLowerCase() !== query) return; // typed on meanwhile
    options = councils.map((council) => ({ council, rank: rank(council, query) }))
      .filter((entry) => entry.rank >= 0)
      .sort((a, b) => a.rank - b.rank || a.council.name.localeCompare(b.council.name))
      .slice(0, 8)
      .map((entry) => entry.council);
    results.replaceChildren(...(options.length
      ? options.map((council, index) => h("li", { id: `search-option-${index}`, role: "option", "aria-selected": "false", "data-slug": council.slug },
        council.name, " ", h("span", { class: "hint" }, council.region)))
      : [h("li", { class: "hint" }, "No council matches")]));
    results.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(options.length ? 0 : -1);
    announce(options.length ? `${options.length} council${options.length === 1 ? "" : "s"} found` : "No council matches");
  }

  function choose(slug) {
    closeResults();
    input.value = "";
    location.hash = `#/councils/${encodeURIComponent(slug)}`;
  }

  function setUpSearch() {
    input = document.getElementById("search");
    results = document.getElementById("search-results");
    input.addEventListener("input", updateResults);
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && options.length) { event.preventDefault(); setActive((active + 1) % options.length); }
      else if (event.key === "ArrowUp" && options.length) { event.preventDefault(); setActive((active - 1 + options.length) % options.length); }
      else if (event.key === "Home" && options.length && !results.hidden) { event.preventDefault(); setActive(0); }
      else if (event.key === "End" && options.length && !results.hidden) { event.preventDefault(); setActive(options.length - 1); }
      else if (event.key === "Enter" && active >= 0 && options[active]) { event.preventDefault(); choose(options[active].slug); }
      else if (event.key === "Escape") { if (!results.hidden) closeResults(); else input.value = ""; }
    });
    input.addEventListener("blur", () => setTimeout(closeResults, 150));
    results.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      choose(option.dataset.slug);
    });
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
  }

  route();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpSearch, { once: true });
  else setUpSearch();
})();
