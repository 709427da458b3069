// The moderators' dashboard of the community's health (data-widget="dashboard"): key
// figures against their goals, weekly and monthly charts (uPlot, served from the site's own
// assets and loaded only here), and tables of what needs doing, each one downloadable as
// CSV. Every chart has a text alternative: a sentence for screen readers, and its figures
// as a table one click away.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;
  var PERIODS = ["7d", "30d", "90d", "365d"];
  var REASONS = ["outdated", "unclear", "unsolved", "other"];
  var COLORS = { main: "#3f51b5", second: "#e65100", goal: "#2e7d32", bad: "#c62828" };

  var langRoot = new URL(document.querySelector('meta[name="portal:root"]').getAttribute("content"), location.href);
  var siteRoot = new URL("../", langRoot);
  var percentFormat = new Intl.NumberFormat(C.lang, { style: "percent", maximumFractionDigits: 0 });
  var signedPercent = new Intl.NumberFormat(C.lang, { style: "percent", maximumFractionDigits: 0, signDisplay: "exceptZero" });
  var decimal = new Intl.NumberFormat(C.lang, { maximumFractionDigits: 1 });
  // Numeric dates: no month names, which some languages' Intl data lacks in some browsers.
  var dayFormat = new Intl.DateTimeFormat(C.lang, { day: "numeric", month: "numeric", timeZone: "UTC" });
  var monthFormat = new Intl.DateTimeFormat(C.lang, { month: "numeric", year: "numeric", timeZone: "UTC" });

  function percent(value) { return value === null || value === undefined ? t("dash.none") : percentFormat.format(value); }
  function change(value) { return value === null || value === undefined ? t("dash.none") : signedPercent.format(value); }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return t("dash.none");
    return C.duration(seconds);
  }
  function day(text) { return dayFormat.format(new Date(text + "T00:00:00Z")); }
  function month(text) { return monthFormat.format(new Date(text + "-01T00:00:00Z")); }
  function seconds(text) { return Date.parse(text + (text.length === 7 ? "-01" : "") + "T00:00:00Z") / 1000; }

  // ---- uPlot, loaded once, only on this page ---------------------------------------------

  var uplotLoading = null;
  var drawn = []; // the charts on the page, let go of when the figures load again

  function loadUplot() {
    if (window.uPlot) return Promise.resolve(window.uPlot);
    if (!uplotLoading) {
      uplotLoading = new Promise(function (resolve, reject) {
        var base = new URL("assets/vendor/uplot/", langRoot);
        document.head.appendChild(el("link", { rel: "stylesheet", href: new URL("uPlot.min.css", base).href }));
        var script = el("script", { src: new URL("uPlot.iife.min.js", base).href });
        script.onload = function () { resolve(window.uPlot); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return uplotLoading;
  }

  // ---- pieces ---------------------------------------------------------------------------

  function tile(label, value, detail, good) {
    return el("div", { class: "cm-dash-tile" + (good === false ? " cm-dash-tile--short" : "") }, [
      el("p", { class: "cm-dash-tile__label", text: label }),
      el("p", { class: "cm-dash-tile__value", text: value }),
      el("p", { class: "cm-dash-tile__detail", text: detail })
    ]);
  }

  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    // Text a spreadsheet would run as a formula (=, +, -, @, tab, return) gets a leading
    // apostrophe, so a reader's comment or search cannot become one; numbers stay numbers.
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csvButton(name, columns, rows) {
    return el("button", {
      type: "button",
      class: "md-button cm-dash-csv",
      text: t("dash.csv"),
      onclick: function () {
        var lines = [columns.map(function (column) { return csvCell(column.label); }).join(",")];
        rows.forEach(function (row) {
          lines.push(columns.map(function (column) {
            return csvCell(column.csv ? column.csv(row) : row[column.key]);
          }).join(","));
        });
        // A byte-order mark, so spreadsheet programs read Hindi, Russian and Khmer as UTF-8.
        var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
        var link = el("a", { href: URL.createObjectURL(blob), download: name + ".csv" });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      }
    });
  }

  // A table with a caption, and its rows as CSV; columns: {key, label, cell(row), csv(row)}.
  function table(name, caption, columns, rows) {
    var section = el("section", { class: "cm-dash-table" });
    var heading = el("h2", { id: C.id("dash-table"), text: caption });
    if (!rows.length) {
      C.append(section, [heading, el("p", { class: "cm-hint", text: t("dash.empty") })]);
      return section;
    }
    var body = el("tbody", null, rows.map(function (row) {
      return el("tr", null, columns.map(function (column, index) {
        var content = column.cell ? column.cell(row) : row[column.key];
        return el(index === 0 ? "th" : "td", index === 0 ? { scope: "row" } : null, content);
      }));
    }));
    var grid = el("table", { "aria-labelledby": heading.id }, [
      el("thead", null, el("tr", null, columns.map(function (column) {
        return el("th", { scope: "col", text: column.label });
      }))),
      body
    ]);
    C.append(section, [
      heading,
      // Focusable, so a keyboard can scroll a table wider than a phone.
      el("div", { class: "cm-dash-scroll", tabindex: "0", role: "region", "aria-labelledby": heading.id }, grid),
      csvButton(name, columns, rows)
    ]);
    return section;
  }

  // A chart of series over time, with a goal line, a sentence for screen readers, and its
  // figures as a table. spec: {name, title, points: [{label, x}], series: [{label, values,
  // color, goal, format}]}.
  function chart(spec) {
    var figure = el("figure", { class: "cm-dash-chart" });
    var caption = el("figcaption", { id: C.id("dash-chart"), text: spec.title });
    var plot = el("div", { class: "cm-dash-plot", role: "img" });
    var last = spec.points.length - 1;
    var latest = spec.series.filter(function (series) { return !series.goal; }).map(function (series) {
      return series.label + " " + series.format(series.values[last]);
    });
    var goal = spec.series.filter(function (series) { return series.goal; })[0];
    plot.setAttribute("aria-label", spec.title + ". " + (last >= 0
      ? t("dash.chart.latest", { when: spec.points[last].label, values: latest.join(", ") }) + (goal ? " " + t("dash.goal", { goal: goal.format(goal.values[0]) }) + "." : "")
      : t("dash.empty")));
    var columns = [{ key: "label", label: t("dash.col.period") }].concat(spec.series.map(function (series, index) {
      return {
        label: series.label,
        cell: function (row) { return series.format(series.values[row.index]); },
        csv: function (row) { var value = series.values[row.index]; return value === null ? "" : value; },
        key: "s" + index
      };
    }));
    var rows = spec.points.map(function (point, index) { return { label: point.label, index: index }; });
    var data = el("details", { class: "cm-dash-data" }, [
      el("summary", { text: t("dash.chart.table") }),
      table(spec.name, spec.title, columns, rows)
    ]);
    C.append(figure, [caption, plot, data]);
    figure.setAttribute("aria-labelledby", caption.id);
    figure.draw = function (uPlot) {
      if (!spec.points.length) { plot.textContent = t("dash.empty"); return; }
      var options = {
        width: Math.max(260, plot.clientWidth),
        height: 220,
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          { values: function (u, ticks) { return ticks.map(function (tick) { var point = spec.points[Math.round(tick)]; return point && Math.abs(tick - Math.round(tick)) < 0.01 ? point.label : ""; }); } },
          { values: function (u, ticks) { return ticks.map(spec.axis || String); }, size: 60 }
        ],
        series: [{ label: t("dash.col.period"), value: function (u, index) { var point = spec.points[index]; return point ? point.label : "–"; } }].concat(spec.series.map(function (series) {
          return {
            label: series.label,
            stroke: series.color,
            width: series.goal ? 1.5 : 2,
            dash: series.goal ? [6, 4] : undefined,
            points: { show: !series.goal },
            spanGaps: true,
            value: function (u, value) { return value === null || value === undefined ? "–" : series.format(value); }
          };
        }))
      };
      var values = [spec.points.map(function (point, index) { return index; })].concat(spec.series.map(function (series) { return series.values; }));
      plot.textContent = "";
      var graph = new uPlot(options, values, plot);
      var watcher = window.ResizeObserver ? new ResizeObserver(function () {
        graph.setSize({ width: Math.max(260, plot.clientWidth), height: 220 });
      }) : null;
      if (watcher) watcher.observe(plot);
      drawn.push(function () { if (watcher) watcher.disconnect(); graph.destroy(); });
      // The drawing is for eyes; screen readers get the sentence and the table.
      graph.root.setAttribute("aria-hidden", "true");
    };
    return figure;
  }

  // ---- the figures ----------------------------------------------------------------------

  function tiles(m) {
    var months = m.members.monthly_active;
    var now = months[months.length - 1];
    var votes = m.feedback.positive + m.feedback.negative;
    var fa = m.first_answer;
    return el("section", { class: "cm-dash-tiles", "aria-label": t("dash.figures") }, [
      tile(t("dash.registered"), C.number(m.members.registered), t("dash.registered.detail", {
        growth: change(m.members.growth_quarter), goal: percent(m.members.goal_growth_quarter)
      }), m.members.growth_quarter === null ? null : m.members.growth_quarter >= m.members.goal_growth_quarter),
      tile(t("dash.active"), percent(now.share), t("dash.active.detail", {
        active: C.number(now.active), registered: C.number(now.registered), goal: percent(m.members.goal_active_share)
      }), now.share === null ? null : now.share >= m.members.goal_active_share),
      tile(t("dash.positive"), percent(m.feedback.positive_share), t("dash.positive.detail", {
        positive: C.number(m.feedback.positive), total: C.number(votes),
        growth: change(m.feedback.growth_month), goal: percent(m.feedback.goal_growth_month)
      }), m.feedback.growth_month === null ? null : m.feedback.growth_month >= m.feedback.goal_growth_month),
      tile(t("dash.first_answer"), percent(fa.within_goal_share), t("dash.first_answer.detail", {
        p50: duration(fa.p50_seconds), p90: duration(fa.p90_seconds), goal: percent(fa.goal_share)
      }), fa.within_goal_share === null ? null : fa.within_goal_share >= fa.goal_share),
      tile(t("dash.unanswered"), C.number(m.unanswered.count), t("dash.unanswered.detail"), m.unanswered.count === 0)
    ]);
  }

  function hours(value) { return value === null || value === undefined ? null : Math.round(value / 36) / 100; }
  function hoursText(value) { return value === null || value === undefined ? t("dash.none") : C.plural("cm.duration.hours", value); }
  function count(value) { return value === null || value === undefined ? t("dash.none") : C.number(value); }
  function charts(m) {
    var months = m.members.monthly_active;
    var weeks = m.first_answer.weekly;
    // A point a week (its last day), or a month for a year.
    function weekLabel(point) { return m.period.days > 90 ? month(point.start.slice(0, 7)) : day(point.end); }
    return [
      chart({
        name: "monthly-active",
        title: t("dash.chart.active"),
        points: months.map(function (row) { return { label: month(row.month) }; }),
        axis: function (value) { return percentFormat.format(value); },
        series: [
          { label: t("dash.series.share"), color: COLORS.main, values: months.map(function (row) { return row.share; }), format: percent },
          { label: t("dash.series.goal"), color: COLORS.goal, goal: true, values: months.map(function () { return m.members.goal_active_share; }), format: percent }
        ]
      }),
      chart({
        name: "first-answer",
        title: t("dash.chart.first_answer"),
        points: weeks.map(function (week) { return { label: weekLabel(week) }; }),
        axis: function (value) { return decimal.format(value); },
        series: [
          { label: t("dash.series.p50"), color: COLORS.main, values: weeks.map(function (week) { return hours(week.p50_seconds); }), format: hoursText },
          { label: t("dash.series.p90"), color: COLORS.second, values: weeks.map(function (week) { return hours(week.p90_seconds); }), format: hoursText },
          { label: t("dash.series.goal"), color: COLORS.goal, goal: true, values: weeks.map(function () { return m.first_answer.goal_seconds / 3600; }), format: hoursText }
        ]
      }),
      chart({
        name: "feedback",
        title: t("dash.chart.feedback"),
        points: m.feedback.weekly.map(function (week) { return { label: weekLabel(week) }; }),
        axis: function (value) { return C.number(value); },
        series: [
          { label: t("dash.series.positive"), color: COLORS.goal, values: m.feedback.weekly.map(function (week) { return week.positive; }), format: count },
          { label: t("dash.series.negative"), color: COLORS.bad, values: m.feedback.weekly.map(function (week) { return week.negative; }), format: count }
        ]
      }),
      chart({
        name: "members",
        title: t("dash.chart.members"),
        points: m.members.weekly.map(function (week) { return { label: weekLabel(week) }; }),
        axis: function (value) { return C.number(value); },
        series: [
          { label: t("dash.series.registered"), color: COLORS.main, values: m.members.weekly.map(function (week) { return week.registered; }), format: count }
        ]
      })
    ];
  }

  function link(url, text) {
    return el("a", { href: new URL(url, siteRoot).pathname + new URL(url, siteRoot).search, text: text });
  }

  function tables(m, suffix) {
    return [
      table("unanswered-" + suffix, t("dash.table.unanswered"), [
        { label: t("dash.col.question"), cell: function (q) { return link(q.url, q.title); }, csv: function (q) { return q.title; } },
        { label: t("dash.col.lang"), cell: function (q) { return C.languageName(q.lang); }, csv: function (q) { return q.lang; } },
        { label: t("dash.col.waiting"), cell: function (q) { return duration(q.waiting_seconds); }, csv: function (q) { return q.waiting_seconds; } }
      ], m.unanswered.items),
      table("trending-" + suffix, t("dash.table.trending"), [
        { label: t("dash.col.topic"), key: "name" },
        { label: t("dash.col.kind"), cell: function (row) { return t("dash.kind." + row.kind); }, csv: function (row) { return row.kind; } },
        { label: t("dash.col.this_week"), cell: function (row) { return C.number(row.this_week); }, key: "this_week" },
        { label: t("dash.col.before"), cell: function (row) { return decimal.format(row.weekly_before); }, key: "weekly_before" },
        { label: t("dash.col.rise"), cell: function (row) { return "×" + decimal.format(row.rise); }, key: "rise" }
      ], m.trending),
      table("contributors-" + suffix, t("dash.table.contributors"), [
        { label: t("dash.col.member"), cell: function (row) { return row.user.username; }, csv: function (row) { return row.user.username; } },
        { label: t("dash.col.answers"), cell: function (row) { return C.number(row.answers); }, key: "answers" },
        { label: t("dash.col.accepted"), cell: function (row) { return C.number(row.accepted); }, key: "accepted" }
      ], m.contributors),
      table("unhelpful-pages-" + suffix, t("dash.table.articles"), [
        { label: t("dash.col.page"), cell: function (row) { return link(row.url, row.title); }, csv: function (row) { return row.title + " (" + row.url + ")"; } },
        { label: t("dash.col.no"), cell: function (row) { return C.number(row.no); }, key: "no" },
        { label: t("dash.col.yes"), cell: function (row) { return C.number(row.yes); }, key: "yes" }
      ].concat(REASONS.map(function (reason) {
        return { label: t("feedback.reason." + reason), cell: function (row) { return C.number(row.reasons[reason] || 0); }, csv: function (row) { return row.reasons[reason] || 0; } };
      })).concat([
        {
          label: t("dash.col.comments"),
          cell: function (row) {
            return row.comments.length ? el("ul", { class: "cm-dash-comments" }, row.comments.map(function (item) {
              return el("li", null, [item.comment, " ", C.time(item.at)]);
            })) : "";
          },
          csv: function (row) { return row.comments.map(function (item) { return item.comment; }).join(" | "); }
        }
      ]), m.articles),
      table("search-gaps-" + suffix, t("dash.table.gaps"), [
        { label: t("dash.col.query"), key: "query" },
        { label: t("dash.col.lang"), cell: function (row) { return C.languageName(row.lang); }, csv: function (row) { return row.lang; } },
        { label: t("dash.col.searches"), cell: function (row) { return C.number(row.count); }, key: "count" }
      ], m.search_gaps)
    ];
  }

  // ---- the widget -----------------------------------------------------------------------

  function select(name, label, options, value) {
    var control = el("select", { name: name }, options.map(function (option) {
      return el("option", { value: option[0], selected: option[0] === value, text: option[1] });
    }));
    return C.field({ name: name, label: label, control: control });
  }

  C.widget("dashboard", function (node) {
    C.session().then(function (session) {
      if (!C.staffOnly(node, session.user)) return;
      var period = PERIODS.indexOf(C.param("period")) >= 0 ? C.param("period") : "30d";
      var lang = C.LANGUAGES.indexOf(C.param("lang")) >= 0 ? C.param("lang") : "";
      var form = el("form", { class: "cm-dash-controls" }, [
        select("period", t("dash.period"), PERIODS.map(function (p) { return [p, t("dash.period." + p)]; }), period),
        select("lang", t("dash.lang"), [["", t("dash.lang.all")]].concat(C.LANGUAGES.map(function (code) {
          return [code, C.languageName(code)];
        })), lang),
        el("button", { type: "submit", class: "md-button md-button--primary", text: t("dash.show") })
      ]);
      var status = el("p", { class: "cm-summary-line", role: "status", text: t("cm.loading") });
      var box = C.problemBox();
      var body = el("div", { class: "cm-dash-body" });
      C.append(node, [form, status, box, body]);

      function load() {
        status.textContent = t("cm.loading");
        body.setAttribute("aria-busy", "true");
        var query = "/metrics?period=" + period + (lang ? "&lang=" + lang : "");
        Promise.all([C.api("GET", query), loadUplot().catch(function () { return null; })]).then(function (results) {
          var m = results[0];
          var figures = charts(m);
          drawn.splice(0).forEach(function (release) { release(); });
          body.textContent = "";
          C.append(body, [
            tiles(m),
            el("p", { class: "cm-hint", text: t("dash.members_everywhere") }),
            el("div", { class: "cm-dash-charts" }, figures)
          ].concat(tables(m, period + (lang ? "-" + lang : ""))));
          if (results[1]) figures.forEach(function (figure) { figure.draw(results[1]); });
          status.textContent = "";
          body.removeAttribute("aria-busy");
        }, function (error) {
          status.textContent = "";
          body.removeAttribute("aria-busy");
          if (!error.redirecting) C.showProblem(error, box);
        });
      }

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        period = form.elements.period.value;
        lang = form.elements.lang.value;
        history.replaceState(null, "", C.href("dashboard", { period: period, lang: lang }));
        load();
      });
      load();
    });
  });
})();
