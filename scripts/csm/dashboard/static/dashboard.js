/* The dashboards' page logic: segment and month filters (kept in the URL's #hash), KPI cards
   and month rows shown for the filters, account tables paged and searched in the browser, and
   the charts drawn with Vega-Embed (the site's one chart library file) from the specs in
   #chart-specs. When every chart has drawn, <body data-charts-rendered="N" data-render-ms>. */
(function () {
  "use strict";

  var body = document.body;
  var state = { segment: "all", month: body.getAttribute("data-default-month") };
  var views = [];
  var tables = [];

  function monthIndex(label) {
    var parts = label.split("-");
    return Number(parts[0]) * 12 + Number(parts[1]) - 1;
  }

  function readJson(id) {
    var element = document.getElementById(id);
    return element && element.textContent.trim() ? JSON.parse(element.textContent) : {};
  }

  function options(name) {
    var select = document.querySelector('select[data-filter="' + name + '"]');
    return select ? Array.prototype.map.call(select.options, function (o) { return o.value; }) : [];
  }

  function readHash() {
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var kv = pair.split("=");
      var key = kv[0];
      var value = decodeURIComponent(kv[1] || "");
      if ((key === "segment" || key === "month") && options(key).indexOf(value) >= 0) {
        state[key] = value;
      }
    });
  }

  function writeHash() {
    var hash = "#segment=" + encodeURIComponent(state.segment) +
      "&month=" + encodeURIComponent(state.month);
    try {
      history.replaceState(null, "", hash);
    } catch (error) {
      location.hash = hash;
    }
  }

  var kpis = readJson("kpi-cards");

  /* one card per KPI: the values of the chosen segment and month (kpi-cards JSON) */
  function applyCards() {
    document.querySelectorAll("[data-kpi-slot]").forEach(function (slot) {
      var key = slot.getAttribute("data-kpi-slot");
      var segment = slot.hasAttribute("data-all-only") ? "all" : state.segment;
      var variant = ((kpis.cards || {})[key] || {})[segment + "|" + state.month];
      var card = slot.querySelector(".kpi-card");
      card.hidden = !variant;
      slot.querySelector(".kpi-missing").hidden = Boolean(variant);
      if (!variant) {
        return;
      }
      var status = kpis.statuses[variant[2]];
      card.setAttribute("data-segment", segment);
      card.setAttribute("data-month", state.month);
      card.setAttribute("data-value", variant[0]);
      card.setAttribute("data-status", variant[2]);
      card.querySelector(".kpi-value").textContent = variant[1];
      var badge = card.querySelector(".status");
      badge.style.setProperty("--c", status[2]);
      badge.querySelector(".icon").textContent = status[0];
      badge.querySelector(".word").textContent = status[1];
      card.querySelector(".kpi-detail").textContent = variant[3];
    });
  }

  function applyRows() {
    document.querySelectorAll("tr[data-month]").forEach(function (row) {
      var segment = row.getAttribute("data-segment");
      var bySegment = row.closest("table[data-by-segment]") !== null;
      row.hidden = row.getAttribute("data-month") !== state.month ||
        (bySegment && segment !== state.segment);
      row.classList.toggle("current", !bySegment && segment !== null && segment === state.segment);
    });
  }

  /* ---- tables paged in the browser ---- */

  function cell(value) {
    var td = document.createElement("td");
    if (value !== null && typeof value === "object") {
      if (value.h) {
        var a = document.createElement("a");
        a.href = value.h;
        a.textContent = value.t;
        td.appendChild(a);
      } else {
        var span = document.createElement("span");
        span.className = "badge";
        span.style.setProperty("--c", value.c);
        span.textContent = value.t;
        td.appendChild(span);
      }
    } else {
      td.textContent = value === null || value === undefined ? "-" : String(value);
    }
    return td;
  }

  function searchText(row) {
    if (row.q === undefined) {
      row.q = row.c.map(function (v) {
        return v !== null && typeof v === "object" ? v.t : String(v);
      }).join(" ").toLowerCase();
    }
    return row.q;
  }

  function Table(box, spec) {
    this.box = box;
    this.spec = spec;
    this.page = 0;
    this.query = "";
    this.tbody = box.querySelector("tbody");
    var self = this;
    box.querySelector("input[type=search]").addEventListener("input", function (event) {
      self.query = event.target.value.trim().toLowerCase();
      self.page = 0;
      self.render();
    });
    box.querySelector("[data-prev]").addEventListener("click", function () {
      self.page -= 1;
      self.render();
    });
    box.querySelector("[data-next]").addEventListener("click", function () {
      self.page += 1;
      self.render();
    });
  }

  Table.prototype.rows = function () {
    var query = this.query;
    return this.spec.rows.filter(function (row) {
      return (row.s === undefined || state.segment === "all" || row.s === state.segment) &&
        (row.m === undefined || row.m === state.month) &&
        (!query || searchText(row).indexOf(query) >= 0);
    });
  };

  Table.prototype.render = function () {
    var rows = this.rows();
    var size = this.spec.pageSize;
    var pages = Math.max(1, Math.ceil(rows.length / size));
    this.page = Math.min(Math.max(this.page, 0), pages - 1);
    var start = this.page * size;
    var shown = rows.slice(start, start + size);
    var numeric = this.spec.numeric;
    var link = this.spec.link;
    var fragment = document.createDocumentFragment();
    shown.forEach(function (row) {
      var tr = document.createElement("tr");
      if (row.k !== undefined) {
        tr.setAttribute("data-key", row.k);
      }
      row.c.forEach(function (value, index) {
        var td = link && index === link[0] ?
          cell({ t: value, h: link[1].replace("{k}", row.k) }) : cell(value);
        if (numeric.indexOf(index) >= 0) {
          td.className = "num";
        }
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    if (!shown.length) {
      var empty = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = this.spec.columns.length;
      td.className = "empty";
      td.textContent = this.spec.empty;
      empty.appendChild(td);
      fragment.appendChild(empty);
    }
    this.tbody.replaceChildren(fragment);
    this.box.querySelector(".count").textContent = rows.length ?
      "Rows " + (start + 1) + "–" + (start + shown.length) + " of " + rows.length : "0 rows";
    this.box.querySelector(".page").textContent = "Page " + (this.page + 1) + " of " + pages;
    this.box.querySelector("[data-prev]").disabled = this.page === 0;
    this.box.querySelector("[data-next]").disabled = this.page >= pages - 1;
    this.box.setAttribute("data-rows", String(rows.length));
  };

  /* ---- charts ---- */

  function signalValue(name) {
    return name === "month_i" ? monthIndex(state.month) : state.segment;
  }

  function setSignals(entry) {
    entry.params.forEach(function (name) {
      entry.view.signal(name, signalValue(name));
    });
    return entry.view.runAsync();
  }

  /* datasets travel as {fields, rows} (charts.compact); Vega-Lite wants row objects */
  function expandDatasets(spec) {
    Object.keys(spec.datasets || {}).forEach(function (name) {
      var data = spec.datasets[name];
      if (data && data.fields) {
        spec.datasets[name] = data.rows.map(function (values) {
          var row = {};
          data.fields.forEach(function (field, index) { row[field] = values[index]; });
          return row;
        });
      }
    });
    return spec;
  }

  function drawCharts() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    if (!boxes.length) {
      body.setAttribute("data-charts-rendered", "0");
      body.setAttribute("data-render-ms", String(Math.round(performance.now())));
      return;
    }
    if (typeof window.vegaEmbed !== "function") {
      body.setAttribute("data-charts-failed", "the chart library did not load");
      console.error("dashboard: the chart library (assets/vega-*.js) did not load; " +
        boxes.length + " charts are not drawn");
      return;
    }
    var specs = readJson("chart-specs");
    Promise.all(boxes.map(function (box) {
      var spec = expandDatasets(specs[box.getAttribute("data-chart")]);
      return window.vegaEmbed(box, spec, { actions: false, renderer: "svg" }).then(function (result) {
        var params = (box.getAttribute("data-params") || "").split(" ").filter(Boolean);
        var entry = { view: result.view, params: params };
        views.push(entry);
        return setSignals(entry);
      });
    })).then(function () {
      body.setAttribute("data-charts-rendered", String(boxes.length));
      body.setAttribute("data-render-ms", String(Math.round(performance.now())));
    }, function (error) {
      body.setAttribute("data-charts-failed", String(error));
      console.error("dashboard: a chart failed to draw", error);
    });
  }

  function apply() {
    applyCards();
    applyRows();
    tables.forEach(function (table) {
      table.page = 0;
      table.render();
    });
    views.forEach(setSignals);
  }

  function init() {
    readHash();
    document.querySelectorAll("select[data-filter]").forEach(function (select) {
      var name = select.getAttribute("data-filter");
      select.value = state[name];
      select.addEventListener("change", function () {
        state[name] = select.value;
        writeHash();
        apply();
      });
    });
    var specs = readJson("tables");
    document.querySelectorAll("[data-table]").forEach(function (box) {
      tables.push(new Table(box, specs[box.getAttribute("data-table")]));
    });
    applyCards();
    applyRows();
    tables.forEach(function (table) { table.render(); });
    drawCharts();
  }

  init();
})();
